package devicestore

import (
	"context"
	"fmt"
	"sync"

	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types"
)

// deviceStore implements every session-specific store of one device on the
// device's partition, as sqlstore's SQLStore does on its rows.
type deviceStore struct {
	c  *Container
	pk string

	// preKeyLock serialises id allocation, as in sqlstore.
	preKeyLock sync.Mutex

	// contacts caches contact rows (found or not) as sqlstore does: push
	// names arrive with every message and are written only when changed.
	contactLock sync.Mutex
	contacts    map[types.JID]*types.ContactInfo

	// migrated remembers the phone numbers whose sessions were moved to
	// their LID in this process, so each is moved once.
	migratedLock sync.Mutex
	migrated     map[string]bool
}

var (
	_ store.AllSessionSpecificStores = (*deviceStore)(nil)
	_ store.IdentityStore            = (*deviceStore)(nil)
	_ store.SessionStore             = (*deviceStore)(nil)
	_ store.PreKeyStore              = (*deviceStore)(nil)
	_ store.SenderKeyStore           = (*deviceStore)(nil)
	_ store.AppStateSyncKeyStore     = (*deviceStore)(nil)
	_ store.AppStateStore            = (*deviceStore)(nil)
	_ store.ContactStore             = (*deviceStore)(nil)
	_ store.ChatSettingsStore        = (*deviceStore)(nil)
	_ store.MsgSecretStore           = (*deviceStore)(nil)
	_ store.PrivacyTokenStore        = (*deviceStore)(nil)
	_ store.NCTSaltStore             = (*deviceStore)(nil)
	_ store.EventBuffer              = (*deviceStore)(nil)
)

func newDeviceStore(c *Container, jid types.JID) *deviceStore {
	return &deviceStore{
		c:        c,
		pk:       devicePK(jid),
		contacts: make(map[types.JID]*types.ContactInfo),
		migrated: make(map[string]bool),
	}
}

func identitySK(address string) string { return "ident#" + esc(address) }

// PutIdentity stores the identity key of a Signal address.
func (s *deviceStore) PutIdentity(ctx context.Context, address string, key [32]byte) error {
	if err := s.c.putItem(ctx, withKey(s.pk, identitySK(address), item{"v": avB(key[:])})); err != nil {
		return fmt.Errorf("put identity: %w", err)
	}
	return nil
}

// DeleteAllIdentities deletes the identities of every device of a phone
// number ("<phone>:<device>").
func (s *deviceStore) DeleteAllIdentities(ctx context.Context, phone string) error {
	if _, err := s.c.deletePrefix(ctx, s.pk, identitySK(phone+":")); err != nil {
		return fmt.Errorf("delete identities: %w", err)
	}
	return nil
}

// DeleteIdentity deletes the identity of one address.
func (s *deviceStore) DeleteIdentity(ctx context.Context, address string) error {
	if err := s.c.deleteItem(ctx, s.pk, identitySK(address)); err != nil {
		return fmt.Errorf("delete identity: %w", err)
	}
	return nil
}

// IsTrustedIdentity trusts an unknown address (its identity is saved
// later) and a known one only with the same key.
func (s *deviceStore) IsTrustedIdentity(ctx context.Context, address string, key [32]byte) (bool, error) {
	it, err := s.c.getItem(ctx, s.pk, identitySK(address))
	if err != nil {
		return false, fmt.Errorf("get identity: %w", err)
	}
	if it == nil {
		return true, nil
	}
	r := reader{it: it}
	existing := r.b("v")
	if r.err != nil {
		return false, fmt.Errorf("get identity: %w", r.err)
	}
	if len(existing) != 32 {
		return false, errInvalidLength
	}
	return [32]byte(existing) == key, nil
}

func senderKeySK(group, user string) string { return "skey#" + esc(user) + "#" + esc(group) }

// PutSenderKey stores a group sender key.
func (s *deviceStore) PutSenderKey(ctx context.Context, group, user string, session []byte) error {
	if err := s.c.putItem(ctx, withKey(s.pk, senderKeySK(group, user), putOpt(item{}, "v", session))); err != nil {
		return fmt.Errorf("put sender key: %w", err)
	}
	return nil
}

// GetSenderKey returns a group sender key, nil if there is none.
func (s *deviceStore) GetSenderKey(ctx context.Context, group, user string) ([]byte, error) {
	return s.getBlob(ctx, senderKeySK(group, user), "sender key")
}

// getBlob reads the "v" attribute of one item of the device; nil when the
// item is absent.
func (s *deviceStore) getBlob(ctx context.Context, sk, what string) ([]byte, error) {
	it, err := s.c.getItem(ctx, s.pk, sk)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", what, err)
	}
	r := reader{it: it}
	v := r.b("v")
	if r.err != nil {
		return nil, fmt.Errorf("get %s: %w", what, r.err)
	}
	return v, nil
}
