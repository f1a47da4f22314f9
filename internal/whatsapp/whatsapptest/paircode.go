package whatsapptest

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"strings"
	"time"

	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/util/hkdfutil"
	"go.mau.fi/whatsmeow/util/keys"
	"golang.org/x/crypto/curve25519"
	"golang.org/x/crypto/pbkdf2"
)

// codeLinking is a pairing-code request (companion_hello) of a linking
// connection, waiting for the phone's user to type the code.
type codeLinking struct {
	number     string
	ref        []byte
	wrappedEph []byte              // the companion's ephemeral key, encrypted with the code
	finish     chan *waBinary.Node // the client's companion_finish iq
}

// companionHello records a pairing-code request and answers with its ref.
func (c *conn) companionHello(iq *waBinary.Node, reg waBinary.Node) {
	jid, _ := reg.Attrs["jid"].(types.JID)
	wrapped, _ := reg.GetChildByTag("link_code_pairing_wrapped_companion_ephemeral_pub").Content.([]byte)
	s := c.s
	s.mu.Lock()
	l := c.link
	if l == nil || l.claimed || len(wrapped) != 80 || !validNumber(jid.User) {
		s.mu.Unlock()
		c.replyError(iq, 400, "bad-request")
		return
	}
	if l.code != nil && s.codeLinks[l.code.number] == l {
		delete(s.codeLinks, l.code.number)
	}
	l.code = &codeLinking{number: jid.User, ref: []byte(randomToken(24)), wrappedEph: wrapped,
		finish: make(chan *waBinary.Node, 1)}
	s.codeLinks[jid.User] = l
	ref := l.code.ref
	s.mu.Unlock()
	c.reply(iq, waBinary.Node{Tag: "link_code_companion_reg", Content: []waBinary.Node{
		{Tag: "link_code_pairing_ref", Content: ref},
	}})
}

// companionFinish hands the client's key bundle to the waiting EnterCode.
func (c *conn) companionFinish(iq *waBinary.Node) {
	c.s.mu.Lock()
	var finish chan *waBinary.Node
	if l := c.link; l != nil && l.code != nil && l.claimed {
		finish = l.code.finish
	}
	c.s.mu.Unlock()
	select {
	case finish <- iq:
	default:
		c.replyError(iq, 400, "bad-request")
	}
}

// EnterCode plays the user of number typing code (as PairPhone returned
// it) on the phone: the phone answers the companion's request, both sides
// derive the ADV secret, and pairing completes as with Scan. A wrong code
// fails here (the key bundle does not decrypt) and can be retried.
// ErrNoLinking when no client asked for a code for number.
func (s *Server) EnterCode(ctx context.Context, number, code string) (types.JID, error) {
	s.mu.Lock()
	l := s.codeLinks[number]
	if l == nil || l.claimed {
		s.mu.Unlock()
		return types.JID{}, fmt.Errorf("code for %s: %w", number, ErrNoLinking)
	}
	cl := l.code
	p, err := s.phoneLocked(number)
	if err != nil {
		s.mu.Unlock()
		return types.JID{}, err
	}
	l.claimed = true
	primary := p.signal.identity
	s.mu.Unlock()
	adv, err := s.exchangeCode(ctx, l, cl, strings.ReplaceAll(code, "-", ""), primary)
	if err != nil {
		s.mu.Lock()
		l.claimed = false
		s.mu.Unlock()
		return types.JID{}, fmt.Errorf("code for %s: %w", number, err)
	}
	return s.pair(ctx, l, number, adv)
}

// exchangeCode runs the phone's side of the code exchange and returns the
// ADV secret.
func (s *Server) exchangeCode(ctx context.Context, l *linking, cl *codeLinking, code string, primary *keys.KeyPair) ([]byte, error) {
	companionEph := codeCipher(code, cl.wrappedEph[:32], cl.wrappedEph[32:48], cl.wrappedEph[48:80])
	eph := keys.NewKeyPair()
	salt, iv := make([]byte, 32), make([]byte, 16)
	_, _ = rand.Read(salt)
	_, _ = rand.Read(iv)
	wrapped := bytes.Join([][]byte{salt, iv, codeCipher(code, salt, iv, eph.Pub[:])}, nil)
	err := l.conn.send(waBinary.Node{Tag: "notification", Attrs: waBinary.Attrs{
		"id": s.newID(), "type": "link_code_companion_reg", "from": types.ServerJID, "t": unixAttr(time.Now()),
	}, Content: []waBinary.Node{{Tag: "link_code_companion_reg", Attrs: waBinary.Attrs{"stage": "primary_hello"},
		Content: []waBinary.Node{
			{Tag: "link_code_pairing_ref", Content: cl.ref},
			{Tag: "link_code_pairing_wrapped_primary_ephemeral_pub", Content: wrapped},
			{Tag: "primary_identity_pub", Content: primary.Pub[:]},
		}}}})
	if err != nil {
		return nil, err
	}
	var finish *waBinary.Node
	select {
	case finish = <-cl.finish:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-l.conn.ctx.Done():
		return nil, ErrNotConnected
	}
	bundle, _ := finish.GetChildByTag("link_code_companion_reg", "link_code_pairing_wrapped_key_bundle").Content.([]byte)
	secret, err := curve25519.X25519(eph.Priv[:], companionEph)
	if err != nil || len(bundle) < 32+12+96 {
		l.conn.replyError(finish, 400, "bad-request")
		return nil, fmt.Errorf("malformed key bundle")
	}
	key := hkdfutil.SHA256(secret, bundle[:32], []byte("link_code_pairing_key_bundle_encryption_key"), 32)
	block, _ := aes.NewCipher(key)
	gcm, _ := cipher.NewGCM(block)
	plain, err := gcm.Open(nil, bundle[32:44], bundle[44:], nil)
	if err != nil || len(plain) != 96 || !bytes.Equal(plain[:32], l.identity[:]) {
		l.conn.replyError(finish, 401, "wrong-code")
		return nil, fmt.Errorf("wrong code: the key bundle does not decrypt")
	}
	identityShared, err := curve25519.X25519(primary.Priv[:], plain[:32])
	if err != nil {
		return nil, err
	}
	l.conn.reply(finish)
	input := bytes.Join([][]byte{secret, identityShared, plain[64:96]}, nil)
	return hkdfutil.SHA256(input, nil, []byte("adv_secret"), 32), nil
}

// codeCipher is the AES-CTR keyed by the pairing code that hides the
// ephemeral keys in transit (its own inverse).
func codeCipher(code string, salt, iv, data []byte) []byte {
	key := pbkdf2.Key([]byte(code), salt, 2<<16, 32, sha256.New)
	block, _ := aes.NewCipher(key)
	out := make([]byte, len(data))
	cipher.NewCTR(block, iv).XORKeyStream(out, data)
	return out
}
