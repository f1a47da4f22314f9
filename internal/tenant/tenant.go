// Package tenant describes the gateway's customers and their API keys.
//
// An API key is "wgk_" + key id + "_" + secret. Only the SHA-256 of the
// whole key is stored; the key id lets the gateway find the stored hash
// without scanning, and the hash is compared in constant time. A fast hash
// is right here because keys carry 256 random bits: there is nothing to
// brute-force, unlike a password.
package tenant

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"time"
)

// Tenant is a customer of the gateway. Its id prefixes all its instances.
type Tenant struct {
	ID        string
	CreatedAt time.Time
}

// Key is a stored API key: never the plaintext, only its hash.
type Key struct {
	ID        string
	TenantID  string
	Hash      []byte
	CreatedAt time.Time
}

const keyPrefix = "wgk_"

// ErrMalformedKey means the presented string cannot be an API key.
var ErrMalformedKey = errors.New("malformed api key")

// NewKey makes a fresh key for tenantID and returns its plaintext (shown
// once to the caller) and the record to store.
func NewKey(tenantID string, now time.Time) (plaintext string, k Key, err error) {
	idBytes := make([]byte, 8)
	secret := make([]byte, 32)
	if _, err := rand.Read(idBytes); err != nil {
		return "", Key{}, err
	}
	if _, err := rand.Read(secret); err != nil {
		return "", Key{}, err
	}
	id := hex.EncodeToString(idBytes)
	plaintext = keyPrefix + id + "_" + base64.RawURLEncoding.EncodeToString(secret)
	return plaintext, Key{ID: id, TenantID: tenantID, Hash: Hash(plaintext), CreatedAt: now}, nil
}

// KeyID extracts the key id from a presented key, without trusting it.
func KeyID(plaintext string) (string, error) {
	rest, ok := strings.CutPrefix(plaintext, keyPrefix)
	if !ok || len(plaintext) > 128 {
		return "", ErrMalformedKey
	}
	id, secret, ok := strings.Cut(rest, "_")
	if !ok || len(id) != 16 || secret == "" {
		return "", ErrMalformedKey
	}
	if _, err := hex.DecodeString(id); err != nil {
		return "", ErrMalformedKey
	}
	return id, nil
}

// Hash is the stored form of a key.
func Hash(plaintext string) []byte {
	h := sha256.Sum256([]byte(plaintext))
	return h[:]
}

// Matches reports, in constant time, whether plaintext is this key.
func (k Key) Matches(plaintext string) bool {
	return subtle.ConstantTimeCompare(Hash(plaintext), k.Hash) == 1
}

// NewAdminKey makes a random operator key for when none is configured.
func NewAdminKey() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "wga_" + base64.RawURLEncoding.EncodeToString(b), nil
}

// AdminKeyMatches compares a presented operator key with the hash of the
// configured one in constant time (over hashes, so length does not leak).
func AdminKeyMatches(presented string, configuredHash []byte) bool {
	return presented != "" && len(configuredHash) == sha256.Size &&
		subtle.ConstantTimeCompare(Hash(presented), configuredHash) == 1
}
