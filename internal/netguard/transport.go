package netguard

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
)

// Transport returns the base of every HTTP transport that calls a URL a
// tenant chose (media, webhooks): it dials only through dial, which must
// carry the policy's Control hook, and never through a proxy from the
// environment, because a proxy would make the connection and the address
// check would only ever see the proxy. Callers set their own timeouts and
// pooling on the result.
func Transport(dial func(ctx context.Context, network, addr string) (net.Conn, error), tlsConf *tls.Config) *http.Transport {
	return &http.Transport{
		Proxy:             nil,
		DialContext:       dial,
		TLSClientConfig:   TLSConfig(tlsConf),
		ForceAttemptHTTP2: true,
	}
}

// TLSConfig returns a copy of base (a new config when nil) that requires
// TLS 1.2 or later; the caller's config is never changed.
func TLSConfig(base *tls.Config) *tls.Config {
	c := &tls.Config{}
	if base != nil {
		c = base.Clone()
	}
	if c.MinVersion == 0 {
		c.MinVersion = tls.VersionTLS12
	}
	return c
}
