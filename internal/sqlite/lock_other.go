//go:build !unix

package sqlite

import "os"

// lockFile opens path without locking it: this platform has no flock, so
// nothing stops a second process from opening the same database there.
func lockFile(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
}

// InUse cannot tell on this platform (no flock): it reports false.
func InUse(path string) bool { return false }
