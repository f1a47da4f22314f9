package main

import (
	"log/slog"
	"math/rand/v2"
	"sync"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/config"
	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/host"
	"github.com/wagateway/wagateway/internal/httpapi"
	"github.com/wagateway/wagateway/internal/lane"
	"github.com/wagateway/wagateway/internal/media"
	"github.com/wagateway/wagateway/internal/netguard"
	"github.com/wagateway/wagateway/internal/sandbox"
	"github.com/wagateway/wagateway/internal/sqlite"
)

// eventsProxy breaks the construction cycle between a driver (which
// reports to the host) and the host (which drives the driver).
type eventsProxy struct {
	once sync.Once
	to   driver.Events
	set  chan struct{}
}

func newEventsProxy() *eventsProxy { return &eventsProxy{set: make(chan struct{})} }

func (p *eventsProxy) bind(to driver.Events) { p.once.Do(func() { p.to = to; close(p.set) }) }
func (p *eventsProxy) target() driver.Events { <-p.set; return p.to }

func (p *eventsProxy) QR(i, c string)                             { p.target().QR(i, c) }
func (p *eventsProxy) Connected(i, ph string)                     { p.target().Connected(i, ph) }
func (p *eventsProxy) Connecting(i string)                        { p.target().Connecting(i) }
func (p *eventsProxy) Disconnected(i string, r driver.Reason)     { p.target().Disconnected(i, r) }
func (p *eventsProxy) Received(i string, in driver.Inbound) error { return p.target().Received(i, in) }

// sandboxPhone adapts the sandbox network to the API's sandbox routes.
type sandboxPhone struct{ *sandbox.Network }

func (s sandboxPhone) Sent(inst string) []httpapi.SandboxSent {
	recs := s.Network.Sent(inst)
	out := make([]httpapi.SandboxSent, 0, len(recs))
	for _, r := range recs {
		out = append(out, httpapi.SandboxSent{Outbound: r.Outbound, SentAt: r.SentAt})
	}
	return out
}

// sessionParts are the session host and what the API needs of it.
type sessionParts struct {
	host    *host.Host
	sandbox httpapi.Sandbox
}

// newSessions builds the session host for the configured driver. The real
// WhatsApp driver is not built yet: with it the gateway serves the API and
// queues messages, and the session routes answer 502.
func newSessions(cfg config.Local, store *sqlite.Store, queues map[lane.Lane]*sqlite.Queue, clk clock.Clock, log *slog.Logger, onEvent func()) (*sessionParts, error) {
	if cfg.Driver != config.DriverSandbox {
		log.Warn("the whatsmeow driver is not built yet: messages are queued but not sent; set GATEWAY_DRIVER=sandbox to try the whole flow")
		return &sessionParts{}, nil
	}
	proxy := newEventsProxy()
	network := sandbox.New(proxy, clk, rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())))
	recv := map[lane.Lane]host.Receiver{}
	for l, q := range queues {
		recv[l] = q
	}
	h, err := host.New(host.Config{
		Driver: network, Store: store, Queues: recv, Clock: clk, Log: log, DelayScale: cfg.LaneDelayScale, OnEvent: onEvent,
		Fetcher: media.New(media.Options{Policy: netguard.Policy{AllowLoopback: true}}),
	})
	if err != nil {
		return nil, err
	}
	proxy.bind(h)
	return &sessionParts{host: h, sandbox: sandboxPhone{network}}, nil
}
