package whatsapptest

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"go.mau.fi/libsignal/protocol"
	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"
)

// openGroupLocked reads a message dev sent to a group as the members'
// phones do. whatsmeow sends one <message to="…@g.us"> holding the
// content once, encrypted with the sender's sender key (<enc
// type="skmsg">), and a <participants> list of <to jid=…> nodes that
// each carry the SenderKeyDistributionMessage for one member device,
// sealed with that device's pairwise session (pkmsg or msg). Every
// participant copy is opened and its sender key kept by its phone; then
// every member's phone must open the content with what it kept, so a
// member left without the key, or a non-member given it, is an error. It
// returns the content's plaintext. The caller holds s.mu.
func (s *Server) openGroupLocked(ctx context.Context, node *waBinary.Node, dev *device, msg *Sent) ([]byte, error) {
	g := s.groupLocked(msg.To)
	if g == nil {
		return nil, fmt.Errorf("group %s unknown", msg.To)
	}
	// whatsmeow names its sender key after its own LID, in every group.
	name := protocol.NewSenderKeyName(msg.To.String(), dev.lid.SignalAddress())
	var errs []error
	participants := node.GetChildByTag("participants")
	for _, to := range participants.GetChildren() {
		jid, _ := to.Attrs["jid"].(types.JID)
		if err := s.distributeLocked(ctx, g, dev, name, to); err != nil {
			errs = append(errs, fmt.Errorf("sender key for %s: %w", jid, err))
			continue
		}
		msg.SenderKeyTo = append(msg.SenderKeyTo, jid)
	}
	enc, ok := node.GetOptionalChildByTag("enc")
	data, _ := enc.Content.([]byte)
	if !ok || enc.Attrs["type"] != "skmsg" {
		return nil, errors.Join(append(errs, errors.New("no sender key encrypted content (enc type skmsg)"))...)
	}
	msg.MediaType, _ = enc.Attrs["mediatype"].(string)
	var err error
	if msg.SenderKeyID, err = senderKeyMessageID(data); err != nil {
		return nil, errors.Join(append(errs, err)...)
	}
	var plain []byte
	for _, number := range g.members {
		got, err := s.phones[number].signal.decryptGroup(ctx, name, data)
		if err != nil {
			errs = append(errs, fmt.Errorf("member %s cannot read it: %w", number, err))
			continue
		}
		if plain == nil {
			plain = got
		}
	}
	return plain, errors.Join(errs...)
}

// distributeLocked opens one participant copy, <to jid=…><enc/></to>,
// with the phone of the device it names, and keeps the sender key it
// carries. Only members' phones (device 0) may get one: the fake lists
// no other device of a member. The caller holds s.mu.
func (s *Server) distributeLocked(ctx context.Context, g *group, dev *device, name *protocol.SenderKeyName, to waBinary.Node) error {
	jid, _ := to.Attrs["jid"].(types.JID)
	p := s.userLocked(jid.ToNonAD())
	switch {
	case to.Tag != "to" || p == nil:
		return fmt.Errorf("no account for %q", to.Attrs["jid"])
	case jid.Device != 0:
		return errors.New("not a phone")
	case !slices.Contains(g.members, p.number):
		return fmt.Errorf("%s is not a member of %s", p.number, g.jid)
	}
	enc, ok := to.GetOptionalChildByTag("enc")
	if !ok {
		return errors.New("no enc")
	}
	encType, _ := enc.Attrs["type"].(string)
	data, _ := enc.Content.([]byte)
	plain, err := p.signal.decrypt(ctx, dev.jid.SignalAddress(), encType, data)
	if err != nil {
		return err
	}
	var m waE2E.Message
	if err = proto.Unmarshal(plain, &m); err != nil {
		return fmt.Errorf("unmarshal: %w", err)
	}
	skdm := m.GetSenderKeyDistributionMessage()
	if skdm.GetGroupID() != g.jid.String() {
		return fmt.Errorf("no sender key distribution message for %s in %v", g.jid, &m)
	}
	return p.signal.processSenderKey(ctx, name, skdm.GetAxolotlSenderKeyDistributionMessage())
}
