package whatsapptest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"

	"go.mau.fi/libsignal/ecc"
	"go.mau.fi/libsignal/keys/identity"
	"go.mau.fi/libsignal/keys/prekey"
	"go.mau.fi/libsignal/protocol"
	"go.mau.fi/libsignal/session"
	"go.mau.fi/libsignal/state/record"
	libstore "go.mau.fi/libsignal/state/store"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/util/keys"
)

// signalStore is a phone's Signal state in memory: its identity, signed
// prekey, one-time prekeys, its sessions with companions and the sender
// keys of group senders (senderkey.go). Callers serialize access (the
// server holds s.mu around every use).
type signalStore struct {
	identity     *keys.KeyPair
	regID        uint32
	signedPreKey *keys.PreKey
	preKeys      map[uint32]*keys.PreKey
	nextPreKey   uint32
	sessions     map[string][]byte
	identities   map[string][32]byte
	senderKeys   map[string][]byte // serialized records by senderKeyID
}

var _ libstore.SignalProtocol = (*signalStore)(nil)

func newSignalStore() (*signalStore, error) {
	var reg [2]byte
	if _, err := rand.Read(reg[:]); err != nil {
		return nil, fmt.Errorf("registration id: %w", err)
	}
	ident := keys.NewKeyPair()
	return &signalStore{
		identity:     ident,
		regID:        uint32(binary.BigEndian.Uint16(reg[:])&0x3fff) + 1,
		signedPreKey: ident.CreateSignedPreKey(1),
		preKeys:      map[uint32]*keys.PreKey{},
		nextPreKey:   1,
		sessions:     map[string][]byte{},
		identities:   map[string][32]byte{},
		senderKeys:   map[string][]byte{},
	}, nil
}

// newPreKey makes a one-time prekey to hand out in a bundle.
func (st *signalStore) newPreKey() *keys.PreKey {
	k := keys.NewPreKey(st.nextPreKey)
	st.preKeys[k.KeyID] = k
	st.nextPreKey++
	return k
}

func (st *signalStore) GetIdentityKeyPair() *identity.KeyPair {
	return identity.NewKeyPair(identity.NewKey(ecc.NewDjbECPublicKey(*st.identity.Pub)),
		ecc.NewDjbECPrivateKey(*st.identity.Priv))
}

func (st *signalStore) GetLocalRegistrationID() uint32 { return st.regID }

func (st *signalStore) SaveIdentity(_ context.Context, addr *protocol.SignalAddress, key *identity.Key) error {
	st.identities[addr.String()] = key.PublicKey().PublicKey()
	return nil
}

// IsTrustedIdentity trusts every identity: the fake plays phones that
// accept whatever companion talks to them.
func (st *signalStore) IsTrustedIdentity(context.Context, *protocol.SignalAddress, *identity.Key) (bool, error) {
	return true, nil
}

func (st *signalStore) LoadPreKey(_ context.Context, id uint32) (*record.PreKey, error) {
	k, ok := st.preKeys[id]
	if !ok {
		return nil, nil
	}
	return record.NewPreKey(id, ecc.NewECKeyPair(ecc.NewDjbECPublicKey(*k.Pub), ecc.NewDjbECPrivateKey(*k.Priv)), nil), nil
}

func (st *signalStore) StorePreKey(_ context.Context, id uint32, r *record.PreKey) error {
	pub, priv := r.KeyPair().PublicKey().PublicKey(), r.KeyPair().PrivateKey().Serialize()
	st.preKeys[id] = &keys.PreKey{KeyPair: keys.KeyPair{Pub: &pub, Priv: &priv}, KeyID: id}
	return nil
}

func (st *signalStore) ContainsPreKey(_ context.Context, id uint32) (bool, error) {
	_, ok := st.preKeys[id]
	return ok, nil
}

func (st *signalStore) RemovePreKey(_ context.Context, id uint32) error {
	delete(st.preKeys, id)
	return nil
}

func (st *signalStore) LoadSession(_ context.Context, addr *protocol.SignalAddress) (*record.Session, error) {
	raw, ok := st.sessions[addr.String()]
	if !ok {
		return record.NewSession(store.SignalProtobufSerializer.Session, store.SignalProtobufSerializer.State), nil
	}
	return record.NewSessionFromBytes(raw, store.SignalProtobufSerializer.Session, store.SignalProtobufSerializer.State)
}

func (st *signalStore) GetSubDeviceSessions(context.Context, string) ([]uint32, error) {
	return nil, nil
}

func (st *signalStore) StoreSession(_ context.Context, addr *protocol.SignalAddress, r *record.Session) error {
	st.sessions[addr.String()] = r.Serialize()
	return nil
}

func (st *signalStore) ContainsSession(_ context.Context, addr *protocol.SignalAddress) (bool, error) {
	_, ok := st.sessions[addr.String()]
	return ok, nil
}

func (st *signalStore) DeleteSession(_ context.Context, addr *protocol.SignalAddress) error {
	delete(st.sessions, addr.String())
	return nil
}

func (st *signalStore) DeleteAllSessions(context.Context) error {
	st.sessions = map[string][]byte{}
	return nil
}

func (st *signalStore) LoadSignedPreKey(_ context.Context, id uint32) (*record.SignedPreKey, error) {
	k := st.signedPreKey
	if id != k.KeyID {
		return nil, nil
	}
	pair := ecc.NewECKeyPair(ecc.NewDjbECPublicKey(*k.Pub), ecc.NewDjbECPrivateKey(*k.Priv))
	return record.NewSignedPreKey(id, 0, pair, *k.Signature, nil), nil
}

func (st *signalStore) LoadSignedPreKeys(ctx context.Context) ([]*record.SignedPreKey, error) {
	k, err := st.LoadSignedPreKey(ctx, st.signedPreKey.KeyID)
	return []*record.SignedPreKey{k}, err
}

func (st *signalStore) StoreSignedPreKey(context.Context, uint32, *record.SignedPreKey) error {
	return fmt.Errorf("signed prekeys are fixed")
}

func (st *signalStore) ContainsSignedPreKey(_ context.Context, id uint32) (bool, error) {
	return id == st.signedPreKey.KeyID, nil
}

func (st *signalStore) RemoveSignedPreKey(context.Context, uint32) error { return nil }

// decrypt opens a message a companion at remote encrypted for this phone;
// encType is the enc node's type, "pkmsg" or "msg".
func (st *signalStore) decrypt(ctx context.Context, remote *protocol.SignalAddress, encType string, ciphertext []byte) ([]byte, error) {
	ser := store.SignalProtobufSerializer
	cipher := session.NewCipher(session.NewBuilderFromSignal(st, remote, ser), remote)
	var plain []byte
	switch encType {
	case "pkmsg":
		msg, err := protocol.NewPreKeySignalMessageFromBytes(ciphertext, ser.PreKeySignalMessage, ser.SignalMessage)
		if err != nil {
			return nil, fmt.Errorf("parse prekey message: %w", err)
		}
		if plain, err = cipher.DecryptMessage(ctx, msg); err != nil {
			return nil, fmt.Errorf("decrypt prekey message: %w", err)
		}
	case "msg":
		msg, err := protocol.NewSignalMessageFromBytes(ciphertext, ser.SignalMessage)
		if err != nil {
			return nil, fmt.Errorf("parse message: %w", err)
		}
		if plain, err = cipher.Decrypt(ctx, msg); err != nil {
			return nil, fmt.Errorf("decrypt message: %w", err)
		}
	default:
		return nil, fmt.Errorf("unsupported enc type %q", encType)
	}
	return unpad(plain)
}

// encrypt seals plaintext for the companion at remote, starting a session
// from bundle when there is none yet; it returns the enc type and bytes.
func (st *signalStore) encrypt(ctx context.Context, remote *protocol.SignalAddress, bundle func() (*prekey.Bundle, error), plaintext []byte) (string, []byte, error) {
	builder := session.NewBuilderFromSignal(st, remote, store.SignalProtobufSerializer)
	if ok, _ := st.ContainsSession(ctx, remote); !ok {
		b, err := bundle()
		if err != nil {
			return "", nil, err
		}
		if err = builder.ProcessBundle(ctx, b); err != nil {
			return "", nil, fmt.Errorf("process bundle of %s: %w", remote, err)
		}
	}
	msg, err := session.NewCipher(builder, remote).Encrypt(ctx, pad(plaintext))
	if err != nil {
		return "", nil, fmt.Errorf("encrypt for %s: %w", remote, err)
	}
	if msg.Type() == protocol.PREKEY_TYPE {
		return "pkmsg", msg.Serialize(), nil
	}
	return "msg", msg.Serialize(), nil
}

// pad and unpad add and strip WhatsApp's random padding (1–15 bytes, each
// holding the padding length) around a serialized message.
func pad(plain []byte) []byte {
	var n [1]byte
	_, _ = rand.Read(n[:])
	size := n[0]&0xf | 1
	return append(bytes.Clone(plain), bytes.Repeat([]byte{size}, int(size))...)
}

func unpad(plain []byte) ([]byte, error) {
	if len(plain) == 0 {
		return nil, fmt.Errorf("empty plaintext")
	}
	size := int(plain[len(plain)-1])
	if size == 0 || size > len(plain) || !bytes.Equal(plain[len(plain)-size:], bytes.Repeat([]byte{byte(size)}, size)) {
		return nil, fmt.Errorf("invalid padding")
	}
	return plain[:len(plain)-size], nil
}
