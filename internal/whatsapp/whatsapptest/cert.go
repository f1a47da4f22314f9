package whatsapptest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"

	"go.mau.fi/libsignal/ecc"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waCert"
	"go.mau.fi/whatsmeow/util/keys"
	"google.golang.org/protobuf/proto"
)

// rootSeed fixes the test root key. whatsmeow.WACertPubKey is one value per
// process, so every Server of a test binary must chain up to the same root.
const rootSeed = "wagateway whatsapptest noise root"

// rootTrust counts the live Servers that need the test root installed in
// whatsmeow.WACertPubKey, so that overlapping servers (parallel tests of
// one package) install it once and the last one restores the real key.
var rootTrust struct {
	sync.Mutex
	users int
	saved [32]byte
}

// testRoot is the key pair that signs the intermediate noise certificate.
func testRoot() *keys.KeyPair {
	seed := sha256.Sum256([]byte(rootSeed))
	seed[0] &= 248
	seed[31] &= 127
	seed[31] |= 64
	return keys.NewKeyPairFromPrivateKey(seed)
}

// TrustTestRoot makes whatsmeow accept certificate chains signed by the
// test root until the end of t. NewServer calls it; call it yourself only
// to dial a Server created elsewhere. While it is in effect the process
// rejects WhatsApp's real servers, so never mix it with real connections.
func TrustTestRoot(t testing.TB) {
	rootTrust.Lock()
	defer rootTrust.Unlock()
	if rootTrust.users == 0 {
		rootTrust.saved = whatsmeow.WACertPubKey
		whatsmeow.WACertPubKey = *testRoot().Pub
	}
	rootTrust.users++
	t.Cleanup(func() {
		rootTrust.Lock()
		defer rootTrust.Unlock()
		rootTrust.users--
		if rootTrust.users == 0 {
			whatsmeow.WACertPubKey = rootTrust.saved
		}
	})
}

// noiseCertChain builds the chain whatsmeow verifies in the handshake: an
// intermediate signed by the root (issuer serial 0) and a leaf, signed by
// the intermediate, that certifies the server's static noise key.
func noiseCertChain(static *keys.KeyPair, now time.Time) ([]byte, error) {
	const intermediateSerial = 1
	intermediate := keys.NewKeyPair()
	validity := func(serial, issuer uint32, key []byte) ([]byte, error) {
		return proto.Marshal(&waCert.CertChain_NoiseCertificate_Details{
			Serial:       proto.Uint32(serial),
			IssuerSerial: proto.Uint32(issuer),
			Key:          key,
			NotBefore:    proto.Uint64(uint64(now.Add(-time.Hour).Unix())),
			NotAfter:     proto.Uint64(uint64(now.Add(365 * 24 * time.Hour).Unix())),
		})
	}
	interDetails, err := validity(intermediateSerial, whatsmeow.WACertIssuerSerial, intermediate.Pub[:])
	if err != nil {
		return nil, fmt.Errorf("marshal intermediate certificate: %w", err)
	}
	leafDetails, err := validity(intermediateSerial+1, intermediateSerial, static.Pub[:])
	if err != nil {
		return nil, fmt.Errorf("marshal leaf certificate: %w", err)
	}
	interSig := ecc.CalculateSignature(ecc.NewDjbECPrivateKey(*testRoot().Priv), interDetails)
	leafSig := ecc.CalculateSignature(ecc.NewDjbECPrivateKey(*intermediate.Priv), leafDetails)
	return proto.Marshal(&waCert.CertChain{
		Intermediate: &waCert.CertChain_NoiseCertificate{Details: interDetails, Signature: interSig[:]},
		Leaf:         &waCert.CertChain_NoiseCertificate{Details: leafDetails, Signature: leafSig[:]},
	})
}

// tlsIdentity makes a throwaway CA and a serving certificate for the chat
// websocket host, the media hosts the fake hands out and 127.0.0.1;
// clients trust the CA through the returned pool.
func tlsIdentity() (tls.Certificate, *x509.CertPool, error) {
	hosts := []string{"web.whatsapp.com", "*.whatsapp.net", "*.whatsapp.com"}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("generate CA key: %w", err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "whatsapptest CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("create CA certificate: %w", err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("parse CA certificate: %w", err)
	}
	leafKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("generate server key: %w", err)
	}
	leafTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: hosts[0]},
		DNSNames:     hosts,
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, &leafKey.PublicKey, caKey)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("create server certificate: %w", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return tls.Certificate{Certificate: [][]byte{leafDER, caDER}, PrivateKey: leafKey}, pool, nil
}
