package whatsapptest

import (
	"fmt"
	"sync"
	"time"

	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
)

// The controls below act on the device jid names or, when jid has no
// device part, on every device of the user (phone number or LID). Those
// that end connections return once the connections are closed.

// StreamReplaced tells the connected devices that another connection took
// their place (stream:error, conflict "replaced"): whatsmeow emits
// events.StreamReplaced and does not reconnect. The devices stay linked.
func (s *Server) StreamReplaced(jid types.JID) error {
	return s.terminate(jid, replacedNode())
}

// ClientOutdated rejects the connected devices' client version (failure
// 405): whatsmeow emits events.ClientOutdated and does not reconnect.
func (s *Server) ClientOutdated(jid types.JID) error {
	return s.terminate(jid, failureNode(events.ConnectFailureClientOutdated))
}

// Drop closes the devices' connections without a word, as a network
// failure would: whatsmeow emits events.Disconnected (and reconnects by
// itself when its EnableAutoReconnect is on).
func (s *Server) Drop(jid types.JID) error {
	conns := s.connections(jid)
	if len(conns) == 0 {
		return fmt.Errorf("drop %s: %w", jid, ErrNotConnected)
	}
	for _, c := range conns {
		c.close()
	}
	for _, c := range conns {
		<-c.done
	}
	return nil
}

// LoggedOut unlinks the devices, as when the user removes them on the
// phone. A connected device gets stream:error 401 "device_removed"
// (events.LoggedOut with OnConnect false, store deleted); one that is
// offline fails its next login with 401 (events.LoggedOut, OnConnect
// true). ErrUnknownDevice when no linked device matches.
func (s *Server) LoggedOut(jid types.JID) error {
	s.mu.Lock()
	devs := s.devicesLocked(jid)
	var conns []*conn
	for _, d := range devs {
		delete(d.phone.devices, d.jid.Device)
		if d.conn != nil {
			conns = append(conns, d.conn)
		}
	}
	s.mu.Unlock()
	if len(devs) == 0 {
		return fmt.Errorf("log out %s: %w", jid, ErrUnknownDevice)
	}
	terminateAll(conns, removedNode())
	return nil
}

// TemporaryBan bans the account of jid for expire with reason code: its
// connected devices get the failure whatsmeow reports as
// events.TemporaryBan{Code, Expire}, and every login of the account fails
// the same way until Unban. ErrUnknownDevice when no linked device
// matches.
func (s *Server) TemporaryBan(jid types.JID, code events.TempBanReason, expire time.Duration) error {
	ban := &events.TemporaryBan{Code: code, Expire: expire}
	s.mu.Lock()
	devs := s.devicesLocked(jid)
	var conns []*conn
	if len(devs) > 0 {
		p := devs[0].phone // jid names one user, so one account
		p.ban = ban
		for _, d := range p.devices {
			if d.conn != nil {
				conns = append(conns, d.conn)
			}
		}
	}
	s.mu.Unlock()
	if len(devs) == 0 {
		return fmt.Errorf("ban %s: %w", jid, ErrUnknownDevice)
	}
	terminateAll(conns, banNode(ban))
	return nil
}

// Unban lifts a TemporaryBan of the account of jid.
func (s *Server) Unban(jid types.JID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range s.devicesLocked(jid) {
		d.phone.ban = nil
	}
}

// terminate ends the connections of jid's devices with node.
func (s *Server) terminate(jid types.JID, node waBinary.Node) error {
	conns := s.connections(jid)
	if len(conns) == 0 {
		return fmt.Errorf("%s to %s: %w", node.Tag, jid, ErrNotConnected)
	}
	terminateAll(conns, node)
	return nil
}

// connections lists the logged-in connections of jid's devices.
func (s *Server) connections(jid types.JID) []*conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	var conns []*conn
	for _, d := range s.devicesLocked(jid) {
		if d.conn != nil {
			conns = append(conns, d.conn)
		}
	}
	return conns
}

func terminateAll(conns []*conn, node waBinary.Node) {
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Go(func() { c.terminate(node) })
	}
	wg.Wait()
}
