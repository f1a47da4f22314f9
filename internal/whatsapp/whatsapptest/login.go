package whatsapptest

import (
	"strconv"
	"time"

	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/proto/waWa6"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
)

// login admits a returning device, as WhatsApp does after the handshake:
// <success> when the device is linked, with the same noise key, and its
// account not banned; <failure> otherwise. A device that logs in again
// replaces its previous connection, which gets a "replaced" stream error.
func (s *Server) login(c *conn, payload *waWa6.ClientPayload) {
	jid := types.JID{
		User:   strconv.FormatUint(payload.GetUsername(), 10),
		Device: uint16(payload.GetDevice()),
		Server: types.DefaultUserServer,
	}
	s.mu.Lock()
	var dev *device
	if devs := s.devicesLocked(jid); len(devs) == 1 && jid.Device != 0 && devs[0].noise == c.noise {
		dev = devs[0]
	}
	if dev == nil {
		s.mu.Unlock()
		s.spawn(func() { c.terminate(failureNode(events.ConnectFailureLoggedOut)) })
		return
	}
	if ban := dev.phone.ban; ban != nil {
		s.mu.Unlock()
		s.spawn(func() { c.terminate(banNode(ban)) })
		return
	}
	old := dev.conn
	dev.conn, c.dev = c, dev
	lid := dev.lid
	s.mu.Unlock()

	if old != nil {
		s.spawn(func() { old.terminate(replacedNode()) })
	}
	err := c.send(waBinary.Node{Tag: "success", Attrs: waBinary.Attrs{
		"t": unixAttr(time.Now()), "lid": lid,
	}})
	if err == nil {
		// WhatsApp follows with the end of the offline queue, empty here.
		err = c.send(waBinary.Node{Tag: "ib", Attrs: waBinary.Attrs{"from": types.ServerJID},
			Content: []waBinary.Node{{Tag: "offline", Attrs: waBinary.Attrs{"count": "0"}}}})
	}
	if err != nil {
		s.log.Debug("login", "device", jid.String(), "err", err)
	}
}

// failureNode is the <failure> WhatsApp sends instead of <success>.
func failureNode(reason events.ConnectFailureReason) waBinary.Node {
	return waBinary.Node{Tag: "failure", Attrs: waBinary.Attrs{"reason": strconv.Itoa(int(reason))}}
}

// banNode is the failure whatsmeow reports as events.TemporaryBan.
func banNode(ban *events.TemporaryBan) waBinary.Node {
	node := failureNode(events.ConnectFailureTempBanned)
	node.Attrs["code"] = strconv.Itoa(int(ban.Code))
	node.Attrs["expire"] = strconv.Itoa(int(ban.Expire / time.Second))
	return node
}

// replacedNode is the stream error of a connection another one replaced.
func replacedNode() waBinary.Node {
	return waBinary.Node{Tag: "stream:error", Content: []waBinary.Node{
		{Tag: "conflict", Attrs: waBinary.Attrs{"type": "replaced"}},
	}}
}

// removedNode is the stream error of a device the phone unlinked.
func removedNode() waBinary.Node {
	return waBinary.Node{Tag: "stream:error", Attrs: waBinary.Attrs{"code": "401"}, Content: []waBinary.Node{
		{Tag: "conflict", Attrs: waBinary.Attrs{"type": "device_removed"}},
	}}
}

// restartNode asks a freshly paired client to reconnect and log in.
func restartNode() waBinary.Node {
	return waBinary.Node{Tag: "stream:error", Attrs: waBinary.Attrs{"code": "515"}}
}
