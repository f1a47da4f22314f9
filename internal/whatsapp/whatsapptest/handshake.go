package whatsapptest

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"time"

	"go.mau.fi/whatsmeow/proto/waWa6"
	"go.mau.fi/whatsmeow/socket"
	"go.mau.fi/whatsmeow/util/keys"
	"golang.org/x/crypto/curve25519"
	"golang.org/x/crypto/hkdf"
	"google.golang.org/protobuf/proto"
)

// noiseState is the symmetric state of Noise_XX_25519_AESGCM_SHA256 as
// whatsmeow's socket.NoiseHandshake runs it, seen from the responder.
type noiseState struct {
	hash    []byte
	salt    []byte
	key     cipher.AEAD
	counter uint32
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("aes key: %w", err)
	}
	return cipher.NewGCM(block)
}

func nonce(counter uint32) []byte {
	iv := make([]byte, 12)
	binary.BigEndian.PutUint32(iv[8:], counter)
	return iv
}

func (ns *noiseState) start(header []byte) error {
	ns.hash = []byte(socket.NoiseStartPattern) // exactly 32 bytes: used as is
	ns.salt = ns.hash
	var err error
	if ns.key, err = newAEAD(ns.hash); err != nil {
		return err
	}
	ns.authenticate(header)
	return nil
}

func (ns *noiseState) authenticate(data []byte) {
	sum := sha256.Sum256(append(ns.hash, data...))
	ns.hash = sum[:]
}

func (ns *noiseState) encrypt(plaintext []byte) []byte {
	ciphertext := ns.key.Seal(nil, nonce(ns.counter), plaintext, ns.hash)
	ns.counter++
	ns.authenticate(ciphertext)
	return ciphertext
}

func (ns *noiseState) decrypt(ciphertext []byte) ([]byte, error) {
	plaintext, err := ns.key.Open(nil, nonce(ns.counter), ciphertext, ns.hash)
	ns.counter++
	if err != nil {
		return nil, err
	}
	ns.authenticate(ciphertext)
	return plaintext, nil
}

func (ns *noiseState) expand(data []byte) (first, second []byte, err error) {
	h := hkdf.New(sha256.New, data, ns.salt, nil)
	first, second = make([]byte, 32), make([]byte, 32)
	if _, err = io.ReadFull(h, first); err == nil {
		_, err = io.ReadFull(h, second)
	}
	return first, second, err
}

func (ns *noiseState) mix(priv, pub *[32]byte) error {
	secret, err := curve25519.X25519(priv[:], pub[:])
	if err != nil {
		return fmt.Errorf("x25519: %w", err)
	}
	salt, key, err := ns.expand(secret)
	if err != nil {
		return err
	}
	ns.salt, ns.counter = salt, 0
	ns.key, err = newAEAD(key)
	return err
}

// handshakeResult is what the responder learns from a completed handshake.
type handshakeResult struct {
	clientStatic [32]byte
	payload      *waWa6.ClientPayload
	read, write  cipher.AEAD
}

// respond runs the responder side of the handshake on tr: it reads the
// client hello, answers with its ephemeral key, its static key and the
// certificate chain, then reads the client's static key and login payload.
func respond(ctx context.Context, tr *transport, static *keys.KeyPair, certChain []byte) (*handshakeResult, error) {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	var hello waWa6.HandshakeMessage
	if err := tr.readProto(ctx, &hello); err != nil {
		return nil, fmt.Errorf("client hello: %w", err)
	}
	clientEph := hello.GetClientHello().GetEphemeral()
	if len(clientEph) != 32 {
		return nil, fmt.Errorf("client hello: ephemeral key of %d bytes", len(clientEph))
	}
	var ns noiseState
	if err := ns.start(tr.header); err != nil {
		return nil, err
	}
	ns.authenticate(clientEph)
	eph := keys.NewKeyPair()
	ns.authenticate(eph.Pub[:])
	if err := ns.mix(eph.Priv, (*[32]byte)(clientEph)); err != nil {
		return nil, err
	}
	staticCT := ns.encrypt(static.Pub[:])
	if err := ns.mix(static.Priv, (*[32]byte)(clientEph)); err != nil {
		return nil, err
	}
	certCT := ns.encrypt(certChain)
	err := tr.writeProto(ctx, &waWa6.HandshakeMessage{ServerHello: &waWa6.HandshakeMessage_ServerHello{
		Ephemeral: eph.Pub[:], Static: staticCT, Payload: certCT,
	}})
	if err != nil {
		return nil, fmt.Errorf("server hello: %w", err)
	}

	var finish waWa6.HandshakeMessage
	if err = tr.readProto(ctx, &finish); err != nil {
		return nil, fmt.Errorf("client finish: %w", err)
	}
	clientStatic, err := ns.decrypt(finish.GetClientFinish().GetStatic())
	if err != nil || len(clientStatic) != 32 {
		return nil, fmt.Errorf("client finish: undecryptable static key")
	}
	if err = ns.mix(eph.Priv, (*[32]byte)(clientStatic)); err != nil {
		return nil, err
	}
	payloadBytes, err := ns.decrypt(finish.GetClientFinish().GetPayload())
	if err != nil {
		return nil, fmt.Errorf("client finish: undecryptable payload")
	}
	res := &handshakeResult{clientStatic: [32]byte(clientStatic), payload: &waWa6.ClientPayload{}}
	if err = proto.Unmarshal(payloadBytes, res.payload); err != nil {
		return nil, fmt.Errorf("client payload: %w", err)
	}
	// The initiator writes with the first key and reads with the second.
	clientWrite, clientRead, err := ns.expand(nil)
	if err != nil {
		return nil, err
	}
	if res.read, err = newAEAD(clientWrite); err != nil {
		return nil, err
	}
	if res.write, err = newAEAD(clientRead); err != nil {
		return nil, err
	}
	return res, nil
}
