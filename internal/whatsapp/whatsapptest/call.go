package whatsapptest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/types"
)

// CallReject is a call offer a device rejected (whatsmeow's RejectCall).
type CallReject struct {
	From   types.JID // the rejecting device
	CallID string
	// Caller is the phone number of the call's creator as the reject
	// names it (by LID or by number); "" if the server does not know it.
	Caller string
}

// Call has the phone of from call the connected devices of to (or the one
// device to names), as WhatsApp relays a call offer: <call> from the
// caller's LID holding an <offer> with the caller's number alongside and
// a <video> for a video call. It returns the call's id once every device
// acknowledged the offer (whatsmeow does so after its handlers ran, so a
// device's reject, sent from a handler, is in CallRejects by then),
// ErrNotAcknowledged when one did not before ctx ended (5 s without a
// deadline), and ErrNotConnected when no device is connected.
func (s *Server) Call(ctx context.Context, to types.JID, from string, video bool) (string, error) {
	ctx, cancel := ackContext(ctx)
	defer cancel()
	callID := newCallID()
	s.mu.Lock()
	caller, err := s.phoneLocked(from)
	var conns []*conn
	for _, d := range s.devicesLocked(to) {
		if d.conn != nil {
			conns = append(conns, d.conn)
		}
	}
	s.mu.Unlock()
	if err != nil {
		return "", fmt.Errorf("call from %s: %w", from, err)
	}
	if len(conns) == 0 {
		return "", fmt.Errorf("call to %s: %w", to, ErrNotConnected)
	}
	for _, c := range conns {
		id := s.newID()
		ack, err := c.sendAndWait(ctx, ackKey("call", id), offerNode(id, callID, caller, video))
		if err != nil {
			return "", fmt.Errorf("call %s: %w", callID, err)
		}
		if code, ok := ack.Attrs["error"]; ok {
			return "", fmt.Errorf("call %s: %w: the client refused it (error %v)", callID, ErrNotAcknowledged, code)
		}
	}
	return callID, nil
}

// offerNode is a call offer stanza as a phone's call reaches a companion.
func offerNode(id, callID string, caller *phone, video bool) waBinary.Node {
	media := []waBinary.Node{
		{Tag: "audio", Attrs: waBinary.Attrs{"enc": "opus", "rate": "16000"}},
		{Tag: "audio", Attrs: waBinary.Attrs{"enc": "opus", "rate": "8000"}},
	}
	if video {
		media = append(media, waBinary.Node{Tag: "video", Attrs: waBinary.Attrs{"enc": "vp8", "dec": "vp8",
			"orientation": "0", "screen_width": "1080", "screen_height": "1920"}})
	}
	media = append(media, waBinary.Node{Tag: "net", Attrs: waBinary.Attrs{"medium": "3"}},
		waBinary.Node{Tag: "encopt", Attrs: waBinary.Attrs{"keygen": "2"}})
	return waBinary.Node{Tag: "call", Attrs: waBinary.Attrs{
		"from": caller.lid, "id": id, "t": unixAttr(time.Now()), "platform": "android", "version": "2.25.36.73",
	}, Content: []waBinary.Node{{Tag: "offer", Attrs: waBinary.Attrs{
		"call-id": callID, "call-creator": caller.lid, "caller_pn": pnJID(caller.number), "joinable": "1",
	}, Content: media}}}
}

// CallRejects lists the call rejections the device jid (or, without a
// device part, every device of the user) sent, oldest first.
func (s *Server) CallRejects(jid types.JID) []CallReject {
	s.mu.Lock()
	defer s.mu.Unlock()
	devs := s.devicesLocked(jid)
	var out []CallReject
	for _, r := range s.rejects {
		if slices.ContainsFunc(devs, func(d *device) bool { return d.jid == r.From }) {
			out = append(out, r)
		}
	}
	return out
}

// handleCall records a device's reject of a call offer. Other call
// stanzas from a client (accepting, ringing) are not modelled.
func (c *conn) handleCall(node *waBinary.Node) {
	reject, ok := node.GetOptionalChildByTag("reject")
	if !ok {
		return
	}
	ag := reject.AttrGetter()
	r := CallReject{CallID: ag.OptionalString("call-id")}
	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.dev == nil {
		return
	}
	r.From = c.dev.jid
	r.Caller = s.phoneOfLocked(ag.OptionalJIDOrEmpty("call-creator"))
	s.rejects = append(s.rejects, r)
}

// newCallID makes a call id as WhatsApp's look: 32 upper-case hex digits.
func newCallID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return strings.ToUpper(hex.EncodeToString(b))
}
