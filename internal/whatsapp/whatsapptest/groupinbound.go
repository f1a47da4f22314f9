package whatsapptest

import (
	"context"
	"fmt"
	"slices"

	"go.mau.fi/libsignal/groups"
	"go.mau.fi/libsignal/keys/prekey"
	"go.mau.fi/libsignal/protocol"
	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"
)

// DeliverGroup sends in, written by in.From in group, to the connected
// devices to names, as WhatsApp delivers a group message: one <message
// from="<group>@g.us" participant="<number>@s.whatsapp.net"> carrying the
// sender's SenderKeyDistributionMessage sealed with the pairwise session
// (pkmsg or msg), then the content encrypted once with the sender's
// sender key (skmsg). The sending phone creates its sender key for the
// group on first use and hands it over with every message (WhatsApp sends
// it only to devices that lack it; a repeat is harmless). Both the sender
// and the devices' account must be members. It returns like Deliver.
func (s *Server) DeliverGroup(ctx context.Context, to, group types.JID, in Inbound) error {
	if in.Message == nil {
		return fmt.Errorf("deliver to %s in %s: no message", to, group)
	}
	in = in.withDefaults()
	ctx, cancel := ackContext(ctx)
	defer cancel()
	plain, err := proto.Marshal(in.Message)
	if err != nil {
		return fmt.Errorf("deliver %s: %w", in.ID, err)
	}
	typ, mediaType := stanzaType(in.Message)
	var deliveries []delivery
	s.mu.Lock()
	deliveries, err = s.groupDeliveriesLocked(ctx, to, group, in, plain, typ, mediaType)
	s.mu.Unlock()
	if err != nil {
		return fmt.Errorf("deliver %s in %s: %w", in.ID, group, err)
	}
	return deliverAll(ctx, in.ID, to, deliveries)
}

// groupDeliveriesLocked builds the message node for each connected device
// of to. The caller holds s.mu.
func (s *Server) groupDeliveriesLocked(ctx context.Context, to, group types.JID, in Inbound, plain []byte, typ, mediaType string) ([]delivery, error) {
	g := s.groupLocked(group)
	if g == nil {
		return nil, fmt.Errorf("group %s unknown", group)
	}
	if !slices.Contains(g.members, in.From) {
		return nil, fmt.Errorf("sender %s is not a member", in.From)
	}
	sender, err := s.phoneLocked(in.From)
	if err != nil {
		return nil, err
	}
	name := protocol.NewSenderKeyName(g.jid.String(), sender.lid.SignalAddress())
	skdm, content, err := sender.signal.encryptGroup(ctx, name, plain)
	if err != nil {
		return nil, err
	}
	skdmPlain, err := proto.Marshal(&waE2E.Message{SenderKeyDistributionMessage: &waE2E.SenderKeyDistributionMessage{
		GroupID: proto.String(g.jid.String()), AxolotlSenderKeyDistributionMessage: skdm,
	}})
	if err != nil {
		return nil, err
	}
	var out []delivery
	for _, d := range s.devicesLocked(to) {
		if d.conn == nil {
			continue
		}
		if !slices.Contains(g.members, d.phone.number) {
			return nil, fmt.Errorf("device %s: %s is not a member", d.jid, d.phone.number)
		}
		encType, ct, err := sender.signal.encrypt(ctx, d.jid.SignalAddress(), func() (*prekey.Bundle, error) {
			return deviceBundle(d)
		}, skdmPlain)
		if err != nil {
			return nil, err
		}
		out = append(out, delivery{d.conn, waBinary.Node{Tag: "message", Attrs: waBinary.Attrs{
			"id": in.ID, "from": g.jid, "participant": types.NewJID(sender.number, types.DefaultUserServer),
			"participant_lid": sender.lid, "addressing_mode": "pn", "type": typ, "t": unixAttr(in.Time), "notify": in.PushName,
		}, Content: []waBinary.Node{
			{Tag: "enc", Attrs: waBinary.Attrs{"v": "2", "type": encType}, Content: ct},
			{Tag: "enc", Attrs: waBinary.Attrs{"v": "2", "type": "skmsg", "mediatype": mediaType}, Content: content},
		}}})
	}
	return out, nil
}

// encryptGroup encrypts plaintext with this phone's sender key name,
// creating the key on first use; it returns the key's serialized
// distribution message and the signed ciphertext (enc type skmsg).
func (st *signalStore) encryptGroup(ctx context.Context, name *protocol.SenderKeyName, plaintext []byte) (skdm, ciphertext []byte, err error) {
	builder := groups.NewGroupSessionBuilder(st, store.SignalProtobufSerializer)
	dist, err := builder.Create(ctx, name)
	if err != nil {
		return nil, nil, fmt.Errorf("create sender key: %w", err)
	}
	msg, err := groups.NewGroupCipher(builder, name, st).Encrypt(ctx, pad(plaintext))
	if err != nil {
		return nil, nil, fmt.Errorf("encrypt with sender key: %w", err)
	}
	return dist.Serialize(), msg.SignedSerialize(), nil
}
