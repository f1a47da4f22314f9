package whatsapptest

import (
	"context"
	"fmt"

	"go.mau.fi/libsignal/groups"
	groupRecord "go.mau.fi/libsignal/groups/state/record"
	"go.mau.fi/libsignal/protocol"
	"go.mau.fi/whatsmeow/store"
)

// A group message is encrypted once, with the sender's sender key, for
// every member; the key itself travels to each member device inside a
// SenderKeyDistributionMessage sealed with that device's pairwise session.
// A phone keeps the sender keys it received here, as whatsmeow's store
// does, so that it can open the group messages that follow.

// senderKeyID names a sender's key in one group.
func senderKeyID(name *protocol.SenderKeyName) string {
	return name.GroupID() + "|" + name.Sender().String()
}

func (st *signalStore) StoreSenderKey(_ context.Context, name *protocol.SenderKeyName, r *groupRecord.SenderKey) error {
	st.senderKeys[senderKeyID(name)] = r.Serialize()
	return nil
}

// LoadSenderKey returns an empty record for a sender never heard of, as
// libsignal expects (it reports "no sender key" on decrypt).
func (st *signalStore) LoadSenderKey(_ context.Context, name *protocol.SenderKeyName) (*groupRecord.SenderKey, error) {
	ser := store.SignalProtobufSerializer
	raw, ok := st.senderKeys[senderKeyID(name)]
	if !ok {
		return groupRecord.NewSenderKey(ser.SenderKeyRecord, ser.SenderKeyState), nil
	}
	return groupRecord.NewSenderKeyFromBytes(raw, ser.SenderKeyRecord, ser.SenderKeyState)
}

// processSenderKey keeps the sender key a serialized (axolotl)
// SenderKeyDistributionMessage carries.
func (st *signalStore) processSenderKey(ctx context.Context, name *protocol.SenderKeyName, skdm []byte) error {
	ser := store.SignalProtobufSerializer
	msg, err := protocol.NewSenderKeyDistributionMessageFromBytes(skdm, ser.SenderKeyDistributionMessage)
	if err != nil {
		return fmt.Errorf("parse sender key distribution message: %w", err)
	}
	if err = groups.NewGroupSessionBuilder(st, ser).Process(ctx, name, msg); err != nil {
		return fmt.Errorf("process sender key distribution message: %w", err)
	}
	return nil
}

// decryptGroup opens a group message (enc type "skmsg") with the sender
// key kept under name.
func (st *signalStore) decryptGroup(ctx context.Context, name *protocol.SenderKeyName, ciphertext []byte) ([]byte, error) {
	ser := store.SignalProtobufSerializer
	msg, err := protocol.NewSenderKeyMessageFromBytes(ciphertext, ser.SenderKeyMessage)
	if err != nil {
		return nil, fmt.Errorf("parse sender key message: %w", err)
	}
	cipher := groups.NewGroupCipher(groups.NewGroupSessionBuilder(st, ser), name, st)
	plain, err := cipher.Decrypt(ctx, msg)
	if err != nil {
		return nil, fmt.Errorf("decrypt sender key message: %w", err)
	}
	return unpad(plain)
}

// senderKeyMessageID is the id of the sender key a group message was
// encrypted with.
func senderKeyMessageID(ciphertext []byte) (uint32, error) {
	msg, err := protocol.NewSenderKeyMessageFromBytes(ciphertext, store.SignalProtobufSerializer.SenderKeyMessage)
	if err != nil {
		return 0, fmt.Errorf("parse sender key message: %w", err)
	}
	return msg.KeyID(), nil
}
