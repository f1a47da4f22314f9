package whatsapptest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.mau.fi/libsignal/ecc"
	"go.mau.fi/whatsmeow"
	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/proto/waAdv"
	"go.mau.fi/whatsmeow/proto/waWa6"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"
)

// qrRefs is how many QR refs WhatsApp sends at once; whatsmeow shows the
// first for 60 s and each of the others for 20 s.
const qrRefs = 6

// linking is the pairing state of an unpaired connection: the keys its
// registration payload announced and the refs its QR codes carry.
type linking struct {
	conn         *conn
	refs         []string
	identity     [32]byte
	regID        uint32
	signedPreKey preKey
	code         *codeLinking // pairing by code, when the client asked for one
	claimed      bool         // a phone is completing this linking
}

// startLinking answers a registration payload with QR refs.
func (s *Server) startLinking(c *conn, reg *waWa6.ClientPayload_DevicePairingRegistrationData) {
	if len(reg.GetEIdent()) != 32 || len(reg.GetERegid()) != 4 || len(reg.GetESkeyID()) != 3 ||
		len(reg.GetESkeyVal()) != 32 || len(reg.GetESkeySig()) != 64 {
		s.log.Warn("malformed registration payload")
		s.spawn(func() { c.terminate(failureNode(400)) })
		return
	}
	l := &linking{
		conn:     c,
		identity: [32]byte(reg.GetEIdent()),
		regID:    binary.BigEndian.Uint32(reg.GetERegid()),
		signedPreKey: preKey{
			id:  binary.BigEndian.Uint32(append([]byte{0}, reg.GetESkeyID()...)),
			pub: [32]byte(reg.GetESkeyVal()),
			sig: (*[64]byte)(bytes.Clone(reg.GetESkeySig())),
		},
	}
	s.mu.Lock()
	c.link = l
	refs := s.newRefsLocked(l)
	s.mu.Unlock()
	c.sendRefs(refs)
}

func (s *Server) newRefsLocked(l *linking) []string {
	refs := make([]string, qrRefs)
	for i := range refs {
		refs[i] = "2@" + randomToken(24)
		s.linkings[refs[i]] = l
	}
	l.refs = append(l.refs, refs...)
	return refs
}

// sendRefs sends the pair-device iq whose refs whatsmeow turns into QR
// codes. The client's acknowledgement needs no handling.
func (c *conn) sendRefs(refs []string) {
	children := make([]waBinary.Node, len(refs))
	for i, ref := range refs {
		children[i] = waBinary.Node{Tag: "ref", Content: []byte(ref)}
	}
	err := c.send(waBinary.Node{Tag: "iq", Attrs: waBinary.Attrs{
		"id": c.s.newID(), "type": "set", "from": types.ServerJID, "xmlns": "md",
	}, Content: []waBinary.Node{{Tag: "pair-device", Content: children}}})
	if err != nil {
		c.s.log.Debug("pair-device", "err", err)
	}
}

// RefreshQR sends fresh refs to every connection that is linking: each
// client shows a new QR code at once (and restarts its rotation). It
// returns how many connections got new refs. whatsmeow's own rotation
// runs on real timers (60 s, then 20 s); this is the fast way to see one.
func (s *Server) RefreshQR() int {
	s.mu.Lock()
	batches := map[*conn][]string{}
	for _, l := range s.linkings {
		if _, done := batches[l.conn]; !done && !l.claimed {
			batches[l.conn] = s.newRefsLocked(l)
		}
	}
	s.mu.Unlock()
	for c, refs := range batches {
		c.sendRefs(refs)
	}
	return len(batches)
}

// Scan plays the phone of number scanning qrCode (as whatsmeow renders
// it): the client gets pair-success, confirms it, and is told to
// reconnect, after which it logs in as the returned device. ErrNoLinking
// when no connection that is linking shows that code.
func (s *Server) Scan(ctx context.Context, qrCode, number string) (types.JID, error) {
	ref, noise, ident, adv, err := parseQR(qrCode)
	if err != nil {
		return types.JID{}, err
	}
	s.mu.Lock()
	l := s.linkings[ref]
	if l == nil || l.claimed || l.conn.noise != noise || l.identity != ident {
		s.mu.Unlock()
		return types.JID{}, fmt.Errorf("scan %s: %w", ref, ErrNoLinking)
	}
	l.claimed = true
	s.mu.Unlock()
	return s.pair(ctx, l, number, adv)
}

// parseQR splits whatsmeow's QR data: [URL#]ref,noise,identity,adv[,type].
func parseQR(code string) (ref string, noise, identity [32]byte, adv []byte, err error) {
	if i := strings.IndexByte(code, '#'); i >= 0 {
		code = code[i+1:]
	}
	parts := strings.Split(code, ",")
	if len(parts) < 4 || parts[0] == "" {
		return "", noise, identity, nil, fmt.Errorf("QR code %q: want ref,noise,identity,adv", code)
	}
	var keys [3][]byte
	for i := range keys {
		if keys[i], err = base64.StdEncoding.DecodeString(parts[i+1]); err != nil || len(keys[i]) != 32 {
			return "", noise, identity, nil, fmt.Errorf("QR code: part %d is not a base64 32-byte key", i+2)
		}
	}
	return parts[0], [32]byte(keys[0]), [32]byte(keys[1]), keys[2], nil
}

// pair links the connection of l to number's account: it sends the
// device identity the phone signs (HMAC'd with the ADV secret the client
// shared through the QR code or pairing code), checks the client's
// counter-signature, registers the device and restarts the stream.
func (s *Server) pair(ctx context.Context, l *linking, number string, advSecret []byte) (types.JID, error) {
	s.mu.Lock()
	p, err := s.phoneLocked(number)
	if err != nil {
		l.claimed = false
		s.mu.Unlock()
		return types.JID{}, err
	}
	devID := p.nextDevice
	p.nextDevice++
	dev := &device{
		phone: p, noise: l.conn.noise, identity: l.identity, regID: l.regID, signedPreKey: l.signedPreKey,
		jid: types.JID{User: number, Device: devID, Server: types.DefaultUserServer},
		lid: types.JID{User: p.lid.User, Device: devID, Server: types.HiddenUserServer},
	}
	details, container, err := signDeviceIdentity(p, devID, l.identity, advSecret)
	account := *p.signal.identity.Pub
	s.mu.Unlock()
	if err != nil {
		return types.JID{}, err
	}
	resp, err := l.conn.request(ctx, waBinary.Node{Tag: "iq", Attrs: waBinary.Attrs{
		"type": "set", "from": types.ServerJID, "xmlns": "md", "t": unixAttr(time.Now()),
	}, Content: []waBinary.Node{{Tag: "pair-success", Content: []waBinary.Node{
		{Tag: "device-identity", Attrs: waBinary.Attrs{"key-index": strconv.Itoa(int(devID))}, Content: container},
		{Tag: "platform", Attrs: waBinary.Attrs{"name": s.platform}},
		{Tag: "device", Attrs: waBinary.Attrs{"jid": dev.jid, "lid": dev.lid}},
	}}}})
	if err != nil {
		return types.JID{}, fmt.Errorf("pair %s: %w", number, err)
	}
	if resp.Attrs["type"] != "result" {
		return types.JID{}, fmt.Errorf("pair %s: client refused: %s", number, resp.GetChildByTag("error").Attrs)
	}
	if err = checkDeviceSignature(resp, details, l.identity, account); err != nil {
		return types.JID{}, fmt.Errorf("pair %s: %w", number, err)
	}
	s.mu.Lock()
	p.devices[devID] = dev
	s.mu.Unlock()
	s.spawn(func() { l.conn.terminate(restartNode()) })
	return dev.jid, nil
}

// signDeviceIdentity builds the ADV device identity of a new companion,
// signed by the account and authenticated with the ADV secret.
func signDeviceIdentity(p *phone, devID uint16, companion [32]byte, advSecret []byte) (details, container []byte, err error) {
	details, err = proto.Marshal(&waAdv.ADVDeviceIdentity{
		RawID:       proto.Uint32(p.rawID),
		Timestamp:   proto.Uint64(uint64(time.Now().Unix())),
		KeyIndex:    proto.Uint32(uint32(devID)),
		AccountType: waAdv.ADVEncryptionType_E2EE.Enum(),
		DeviceType:  waAdv.ADVEncryptionType_E2EE.Enum(),
	})
	if err != nil {
		return nil, nil, fmt.Errorf("marshal device identity: %w", err)
	}
	msg := bytes.Join([][]byte{whatsmeow.AdvAccountSignaturePrefix, details, companion[:]}, nil)
	sig := ecc.CalculateSignature(ecc.NewDjbECPrivateKey(*p.signal.identity.Priv), msg)
	signed, err := proto.Marshal(&waAdv.ADVSignedDeviceIdentity{
		Details: details, AccountSignatureKey: p.signal.identity.Pub[:], AccountSignature: sig[:],
	})
	if err != nil {
		return nil, nil, fmt.Errorf("marshal signed device identity: %w", err)
	}
	mac := hmac.New(sha256.New, advSecret)
	mac.Write(signed)
	container, err = proto.Marshal(&waAdv.ADVSignedDeviceIdentityHMAC{
		Details: signed, HMAC: mac.Sum(nil), AccountType: waAdv.ADVEncryptionType_E2EE.Enum(),
	})
	return details, container, err
}

// checkDeviceSignature verifies the companion's signature in its
// pair-device-sign answer.
func checkDeviceSignature(resp *waBinary.Node, details []byte, companion, account [32]byte) error {
	raw, _ := resp.GetChildByTag("pair-device-sign", "device-identity").Content.([]byte)
	var signed waAdv.ADVSignedDeviceIdentity
	if err := proto.Unmarshal(raw, &signed); err != nil || !bytes.Equal(signed.GetDetails(), details) {
		return fmt.Errorf("pair-device-sign: missing or foreign device identity")
	}
	msg := bytes.Join([][]byte{whatsmeow.AdvDeviceSignaturePrefix, details, companion[:], account[:]}, nil)
	if len(signed.GetDeviceSignature()) != 64 ||
		!ecc.VerifySignature(ecc.NewDjbECPublicKey(companion), msg, [64]byte(signed.GetDeviceSignature())) {
		return fmt.Errorf("pair-device-sign: bad device signature")
	}
	return nil
}
