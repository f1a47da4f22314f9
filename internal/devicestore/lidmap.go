package devicestore

import (
	"context"
	"fmt"
	"sync"

	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types"
)

// lidMap is the global LID ↔ phone number map, shared by the devices of a
// Container as sqlstore's CachedLIDMap is. Each mapping is two items (one
// per direction) changed together in a transaction. Found mappings are
// cached; unlike sqlstore, absent ones are not, because other processes
// (session hosts) write to the same table.
type lidMap struct {
	c *Container

	mu      sync.RWMutex
	pnToLID map[string]string
	lidToPN map[string]string

	// writeMu serialises this process's writers, as sqlstore's lock does.
	writeMu sync.Mutex
}

var _ store.LIDStore = (*lidMap)(nil)

func newLIDMap(c *Container) *lidMap {
	return &lidMap{c: c, pnToLID: make(map[string]string), lidToPN: make(map[string]string)}
}

// GetLIDForPN returns the LID of a phone-number JID (same device), or the
// empty JID when none is known.
func (m *lidMap) GetLIDForPN(ctx context.Context, pn types.JID) (types.JID, error) {
	if pn.Server != types.DefaultUserServer {
		return types.JID{}, fmt.Errorf("invalid GetLIDForPN call with non-PN JID %s", pn)
	}
	return m.lookup(ctx, pn, types.HiddenUserServer, pnPK, "lid", m.pnToLID)
}

// GetPNForLID returns the phone-number JID of a LID (same device), or the
// empty JID when none is known.
func (m *lidMap) GetPNForLID(ctx context.Context, lid types.JID) (types.JID, error) {
	if lid.Server != types.HiddenUserServer {
		return types.JID{}, fmt.Errorf("invalid GetPNForLID call with non-LID JID %s", lid)
	}
	return m.lookup(ctx, lid, types.DefaultUserServer, lidPK, "pn", m.lidToPN)
}

func (m *lidMap) lookup(ctx context.Context, source types.JID, server string, pk func(string) string, attr string, cache map[string]string) (types.JID, error) {
	m.mu.RLock()
	target, ok := cache[source.User]
	m.mu.RUnlock()
	if !ok {
		it, err := m.c.getItem(ctx, pk(source.User), lidMapSK)
		if err != nil {
			return types.JID{}, fmt.Errorf("get LID mapping: %w", err)
		}
		if it == nil {
			return types.JID{}, nil
		}
		r := reader{it: it}
		lid, pn := r.s("lid"), r.s("pn")
		if r.err != nil {
			return types.JID{}, fmt.Errorf("get LID mapping: %w", r.err)
		}
		m.remember(lid, pn)
		target = r.s(attr)
	}
	return types.JID{User: target, Device: source.Device, Server: server}, nil
}

// GetManyLIDsForPNs returns the LIDs of the phone-number JIDs that have
// one; other JIDs are left out. Nil when asked for none.
func (m *lidMap) GetManyLIDsForPNs(ctx context.Context, pns []types.JID) (map[types.JID]types.JID, error) {
	if len(pns) == 0 {
		return nil, nil
	}
	result := make(map[types.JID]types.JID, len(pns))
	missing := make(map[string][]types.JID)
	var keys []item
	m.mu.RLock()
	for _, pn := range pns {
		if pn.Server != types.DefaultUserServer {
			continue
		}
		if lid, ok := m.pnToLID[pn.User]; ok {
			result[pn] = types.JID{User: lid, Device: pn.Device, Server: types.HiddenUserServer}
			continue
		}
		if _, seen := missing[pn.User]; !seen {
			keys = append(keys, keyItem(pnPK(pn.User), lidMapSK))
		}
		missing[pn.User] = append(missing[pn.User], pn)
	}
	m.mu.RUnlock()
	found, err := m.c.batchGet(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("get LID mappings: %w", err)
	}
	for _, it := range found {
		r := reader{it: it}
		lid, pn := r.s("lid"), r.s("pn")
		if r.err != nil {
			return nil, fmt.Errorf("get LID mappings: %w", r.err)
		}
		m.remember(lid, pn)
		for _, dev := range missing[pn] {
			lidDev := dev
			lidDev.Server, lidDev.User = types.HiddenUserServer, lid
			result[dev] = lidDev
		}
	}
	return result, nil
}

// withAlt returns the JID and, for a user JID with a known mapping, the
// JID on the other side of it.
func (m *lidMap) withAlt(ctx context.Context, jid types.JID) ([]types.JID, error) {
	var alt types.JID
	var err error
	switch jid.Server {
	case types.DefaultUserServer:
		alt, err = m.GetLIDForPN(ctx, jid)
	case types.HiddenUserServer:
		alt, err = m.GetPNForLID(ctx, jid)
	}
	if err != nil || alt.IsEmpty() {
		return []types.JID{jid}, err
	}
	return []types.JID{jid, alt}, nil
}

// remember caches a mapping and forgets the ones it replaced.
func (m *lidMap) remember(lid, pn string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	applyMapping(m.pnToLID, m.lidToPN, lid, pn)
}

// applyMapping records lid ↔ pn in a pair of maps, dropping the previous
// partner of either side, as the SQL store's unique columns do.
func applyMapping(pnToLID, lidToPN map[string]string, lid, pn string) {
	oldLID, oldPN := pnToLID[pn], lidToPN[lid]
	pnToLID[pn], lidToPN[lid] = lid, pn
	if oldPN != "" && oldPN != pn && pnToLID[oldPN] == lid {
		delete(pnToLID, oldPN)
	}
	if oldLID != "" && oldLID != lid && lidToPN[oldLID] == pn {
		delete(lidToPN, oldLID)
	}
}
