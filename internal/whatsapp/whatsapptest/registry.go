package whatsapptest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
)

// phone is one WhatsApp account: its primary device (the phone, device 0,
// which also signs the companions' identities) and its linked companions.
type phone struct {
	number     string
	lid        types.JID // the account's LID, device 0
	rawID      uint32    // account id inside ADV device identities
	signal     *signalStore
	devices    map[uint16]*device
	nextDevice uint16
	ban        *events.TemporaryBan
}

// preKey is a public Signal prekey a companion uploaded.
type preKey struct {
	id  uint32
	pub [32]byte
	sig *[64]byte // signed prekeys only
}

// device is one linked companion (a whatsmeow client).
type device struct {
	phone        *phone
	jid          types.JID // number:N@s.whatsapp.net
	lid          types.JID // lid:N@lid
	noise        [32]byte  // static noise key it must log in with
	identity     [32]byte
	regID        uint32
	signedPreKey preKey
	preKeys      []preKey // uploaded one-time prekeys not yet handed out
	uploaded     bool     // it uploaded prekeys at least once
	conn         *conn    // the logged-in connection, if any
	sent         []Sent
	chatStates   []ChatState
	reads        []ReadReceipt // read.go
}

// lidUser derives a stable LID user for a phone number. Real LIDs are
// unrelated to the number; a derived one keeps test failures readable.
func lidUser(number string) string { return "9" + number }

// validNumber reports whether number looks like an international phone
// number in digits.
func validNumber(number string) bool {
	if len(number) < 7 || len(number) > 15 || number[0] == '0' {
		return false
	}
	_, err := strconv.ParseUint(number, 10, 64)
	return err == nil
}

// phoneLocked returns the account of number, creating it on first use.
// The caller holds s.mu.
func (s *Server) phoneLocked(number string) (*phone, error) {
	if p, ok := s.phones[number]; ok {
		return p, nil
	}
	if !validNumber(number) {
		return nil, fmt.Errorf("phone number %q: not an international number in digits", number)
	}
	st, err := newSignalStore()
	if err != nil {
		return nil, fmt.Errorf("phone %s: %w", number, err)
	}
	var raw [4]byte
	_, _ = rand.Read(raw[:])
	p := &phone{
		number:     number,
		lid:        types.NewJID(lidUser(number), types.HiddenUserServer),
		rawID:      binary.BigEndian.Uint32(raw[:]),
		signal:     st,
		devices:    map[uint16]*device{},
		nextDevice: 1,
	}
	s.phones[number] = p
	s.byLID[p.lid.User] = p
	return p, nil
}

// userLocked finds the account a user JID names (phone number or LID);
// nil when the user is unknown or not on WhatsApp. The caller holds s.mu.
func (s *Server) userLocked(jid types.JID) *phone {
	switch jid.Server {
	case types.DefaultUserServer, types.LegacyUserServer:
		if s.absent[jid.User] {
			return nil
		}
		p, _ := s.phoneLocked(jid.User)
		return p
	case types.HiddenUserServer:
		return s.byLID[jid.User]
	}
	return nil
}

// devicesLocked lists the linked devices jid names: one device when jid
// has a device part, every companion of the user otherwise. The caller
// holds s.mu.
func (s *Server) devicesLocked(jid types.JID) []*device {
	var p *phone
	switch jid.Server {
	case types.DefaultUserServer:
		p = s.phones[jid.User]
	case types.HiddenUserServer:
		p = s.byLID[jid.User]
	}
	if p == nil {
		return nil
	}
	if jid.Device != 0 {
		if d, ok := p.devices[jid.Device]; ok {
			return []*device{d}
		}
		return nil
	}
	devs := make([]*device, 0, len(p.devices))
	for id := uint16(1); id < p.nextDevice; id++ {
		if d, ok := p.devices[id]; ok {
			devs = append(devs, d)
		}
	}
	return devs
}

// NotOnWhatsApp makes number unknown to the server, as a number without a
// WhatsApp account is: lookups report it absent and sends to it fail.
func (s *Server) NotOnWhatsApp(number string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.absent[number] = true
}

// Devices lists the linked companion devices of number.
func (s *Server) Devices(number string) []types.JID {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []types.JID
	for _, d := range s.devicesLocked(types.NewJID(number, types.DefaultUserServer)) {
		out = append(out, d.jid)
	}
	return out
}

// Connected reports whether the device jid (or, without a device part, any
// device of the user) has a logged-in connection.
func (s *Server) Connected(jid types.JID) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range s.devicesLocked(jid) {
		if d.conn != nil {
			return true
		}
	}
	return false
}

// LID is the LID WhatsApp uses for number.
func (s *Server) LID(number string) types.JID {
	return types.NewJID(lidUser(number), types.HiddenUserServer)
}

// newIDLocked makes a stanza id for a node the server sends.
func (s *Server) newIDLocked() string {
	s.nextID++
	return "srv." + strconv.FormatUint(s.nextID, 10)
}

func (s *Server) newID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.newIDLocked()
}

func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return strings.TrimRight(base64.URLEncoding.EncodeToString(b), "=")
}

func unixAttr(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }
