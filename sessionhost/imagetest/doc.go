// Package imagetest builds the session host image from make build's
// dist/host/ with buildah and runs it with podman: the sandbox flow through
// the image as deployed (scratch, non-root, read-only root filesystem).
// Its test carries the imagetest build tag, so only `make image-test`
// (part of `make test`) runs it: it needs buildah, podman and runc, and
// fails without them rather than pass unseen.
package imagetest
