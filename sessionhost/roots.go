package main

// The session host image is FROM scratch: it has no CA bundle, and one
// copied from the build machine would make the image differ from machine
// to machine. This package embeds Mozilla's roots into the binary, and Go
// uses them only when the system has none (as in that image), so a host
// started elsewhere still trusts its own system's roots. The bundle's
// version is pinned by go.sum: the same source gives the same image.
import _ "golang.org/x/crypto/x509roots/fallback"
