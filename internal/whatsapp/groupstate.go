package whatsapp

import (
	"sync"
	"time"

	"go.mau.fi/whatsmeow/types"

	"github.com/wagateway/wagateway/internal/driver"
)

// groupStates is what one connection knows of the settings of the
// instance's groups (subject, description, announce, locked). A group
// notification carries only the setting that changed, while GroupUpdated
// reports the group's state after the change: asking WhatsApp each time
// would answer the state after whatever changed since (the instance's
// next change may already be applied), so the state is asked once per
// group and then kept up to date by the notifications, which come in
// order. A change that leaves the state as last reported (the first
// answer was already ahead of the notifications) is not reported again.
type groupStates struct {
	mu    sync.Mutex
	known map[types.JID]driver.GroupUpdate // At is not kept
}

func newGroupStates() *groupStates { return &groupStates{known: map[types.JID]driver.GroupUpdate{}} }

// get returns the group's known state.
func (s *groupStates) get(jid types.JID) (driver.GroupUpdate, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.known[jid]
	return u, ok
}

// set records the group's state (as reported, or as the instance
// created or joined it).
func (s *groupStates) set(jid types.JID, u driver.GroupUpdate) {
	u.At = time.Time{}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.known[jid] = u
}

// forget drops what is known of a group the instance is no longer in:
// if it comes back, its state is asked again.
func (s *groupStates) forget(jid types.JID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.known, jid)
}

// sameState reports whether two states are the same, whenever they were
// reached.
func sameState(a, b driver.GroupUpdate) bool {
	a.At, b.At = time.Time{}, time.Time{}
	return a == b
}

// stateOf is the settings part of a group's info.
func stateOf(info *types.GroupInfo) driver.GroupUpdate {
	return driver.GroupUpdate{Group: info.JID.String(), Subject: info.Name, Description: info.Topic,
		Announce: info.IsAnnounce, Locked: info.IsLocked}
}
