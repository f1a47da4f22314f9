// Package devicestoretest is the conformance suite of whatsmeow device
// stores. It pins the behaviour of whatsmeow's own SQL store (sqlstore, the
// reference) so that every other implementation — the DynamoDB one in
// internal/devicestore — is held to exactly the same semantics:
//
//   - a device is stored only by Save, keeps its keys once stored (a later
//     Save updates only LID, platform, names, LID migration time and
//     companion nonce), and an absent device reads as nil without error;
//   - deleting a device deletes everything stored under it, leaves other
//     devices and the global LID map alone, and a device re-paired under
//     the same JID starts empty;
//   - every store method keeps sqlstore's edge cases: prekey id sequence
//     and uploaded flags, "address:" prefix deletes, newer-wins app state
//     sync keys and privacy tokens, insert-once message secrets and
//     buffered events, LID alternates for secrets, tokens and retries, and
//     a decryption transaction that is all or nothing.
package devicestoretest

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow/proto/waAdv"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/util/keys"
)

// Container is what a whatsmeow driver needs from a device container; both
// *sqlstore.Container and *devicestore.Container satisfy it.
type Container interface {
	store.DeviceContainer
	NewDevice() *store.Device
	GetDevice(ctx context.Context, jid types.JID) (*store.Device, error)
	GetAllDevices(ctx context.Context) ([]*store.Device, error)
	GetFirstDevice(ctx context.Context) (*store.Device, error)
}

// Run runs every case, each against a fresh, empty container from
// newContainer. Cases run in parallel.
func Run(t *testing.T, newContainer func(t *testing.T) Container) {
	cases := []struct {
		name string
		run  func(t *testing.T, c Container)
	}{
		{"devices", devices},
		{"device keys are kept on update", deviceUpdate},
		{"delete device and everything under it", deleteDevice},
		{"identities", identities},
		{"sessions", sessions},
		{"migrate PN to LID", migratePNToLID},
		{"prekeys", preKeys},
		{"sender keys", senderKeys},
		{"app state sync keys", appStateSyncKeys},
		{"app state versions and MACs", appState},
		{"contacts", contacts},
		{"contact batches", contactBatches},
		{"chat settings", chatSettings},
		{"message secrets", messageSecrets},
		{"privacy tokens", privacyTokens},
		{"NCT salt", nctSalt},
		{"event buffer", eventBuffer},
		{"decryption transaction", decryptionTxn},
		{"outgoing events", outgoingEvents},
		{"LID map", lidMap},
		{"LID remapping", lidRemap},
	}
	// libsignal sets up its global logger on first use without a lock; a
	// first signature here, before the cases run in parallel, keeps that
	// library race out of the results.
	keys.NewKeyPair().CreateSignedPreKey(1)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, newContainer(t))
		})
	}
}

// jid parses a JID literal of the test.
func jid(t *testing.T, s string) types.JID {
	t.Helper()
	j, err := types.ParseJID(s)
	require.NoError(t, err)
	return j
}

// account is a signed device identity shaped like a real one: sqlstore
// checks the signature and key lengths.
func account() *waAdv.ADVSignedDeviceIdentity {
	return &waAdv.ADVSignedDeviceIdentity{
		Details:             []byte("adv details"),
		AccountSignature:    bytes.Repeat([]byte{1}, 64),
		AccountSignatureKey: bytes.Repeat([]byte{2}, 32),
		DeviceSignature:     bytes.Repeat([]byte{3}, 64),
	}
}

// paired creates and saves a device as pairing does, returning it with
// every store wired.
func paired(t *testing.T, c Container, id string) *store.Device {
	t.Helper()
	d := c.NewDevice()
	j := jid(t, id)
	d.ID = &j
	d.Account = account()
	require.NoError(t, d.Save(t.Context()))
	require.True(t, d.Initialized)
	return d
}

// key32 is a 32-byte value filled with b (identities, MACs).
func key32(b byte) [32]byte {
	var k [32]byte
	for i := range k {
		k[i] = b
	}
	return k
}

// bs is a byte slice filled with n copies of b.
func bs(b byte, n int) []byte { return bytes.Repeat([]byte{b}, n) }
