package whatsapp

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"

	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/util/keys"
)

// memDevices is an in-memory device container. GetDevice returns a copy,
// as a database would, so a restarted driver shares nothing in memory
// with the one before.
type memDevices struct {
	mu      sync.Mutex
	devices map[types.JID]*store.Device
	lids    *memLIDs
}

var (
	_ DeviceStore           = (*memDevices)(nil)
	_ store.DeviceContainer = (*memDevices)(nil)
)

func newMemDevices() *memDevices {
	return &memDevices{devices: map[types.JID]*store.Device{}, lids: &memLIDs{byLID: map[types.JID]types.JID{}}}
}

func (m *memDevices) NewDevice() *store.Device {
	secret := make([]byte, 32)
	for i := range secret {
		secret[i] = byte(rand.UintN(256))
	}
	identity := keys.NewKeyPair()
	return &store.Device{Container: m, AdvSecretKey: secret, NoiseKey: keys.NewKeyPair(), IdentityKey: identity,
		SignedPreKey: identity.CreateSignedPreKey(1), RegistrationID: 42}
}

func (m *memDevices) GetDevice(_ context.Context, jid types.JID) (*store.Device, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	d := m.devices[jid]
	if d == nil {
		return nil, nil
	}
	cp := *d
	return &cp, nil
}

func (m *memDevices) PutDevice(_ context.Context, d *store.Device) error {
	if d.ID == nil {
		return errors.New("fake: device without JID")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	d.LIDs = m.lids
	d.Initialized = true
	cp := *d
	m.devices[*d.ID] = &cp
	return nil
}

func (m *memDevices) DeleteDevice(_ context.Context, d *store.Device) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.devices, *d.ID)
	return nil
}

func (m *memDevices) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.devices)
}

// memLIDs is an in-memory LID ↔ phone number map.
type memLIDs struct {
	mu    sync.Mutex
	byLID map[types.JID]types.JID
}

var _ store.LIDStore = (*memLIDs)(nil)

func (l *memLIDs) PutManyLIDMappings(ctx context.Context, ms []store.LIDMapping) error {
	for _, m := range ms {
		_ = l.PutLIDMapping(ctx, m.LID, m.PN)
	}
	return nil
}

func (l *memLIDs) PutLIDMapping(_ context.Context, lid, pn types.JID) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.byLID[lid.ToNonAD()] = pn.ToNonAD()
	return nil
}

func (l *memLIDs) GetPNForLID(_ context.Context, lid types.JID) (types.JID, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.byLID[lid.ToNonAD()], nil
}

func (l *memLIDs) GetLIDForPN(_ context.Context, pn types.JID) (types.JID, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for lid, p := range l.byLID {
		if p == pn.ToNonAD() {
			return lid, nil
		}
	}
	return types.EmptyJID, nil
}

func (l *memLIDs) GetManyLIDsForPNs(ctx context.Context, pns []types.JID) (map[types.JID]types.JID, error) {
	out := map[types.JID]types.JID{}
	for _, pn := range pns {
		if lid, _ := l.GetLIDForPN(ctx, pn); !lid.IsEmpty() {
			out[pn] = lid
		}
	}
	return out, nil
}
