package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"

	"github.com/wagateway/wagateway/internal/webhook"
	"github.com/wagateway/wagateway/internal/whatsapp/whatsapptest"
)

var (
	inboundSessions = flag.Int("bench.inbound.sessions", 1000, "linked sessions BenchmarkInboundLoad delivers to")
	inboundDuration = flag.Duration("bench.inbound.duration", 60*time.Second, "how long BenchmarkInboundLoad delivers")
	inboundRate     = flag.Float64("bench.inbound.rate", 20, "inbound messages per second BenchmarkInboundLoad delivers, over all sessions")
	inboundImage    = flag.Int("bench.inbound.imagebytes", 100_000, "size of the image every 5th inbound message of BenchmarkInboundLoad carries; 0: text only")
	inboundWarmup   = flag.Duration("bench.inbound.warmup", 10*time.Second, "BenchmarkInboundLoad's heap growth counts from this far into the load")
)

// The fake WhatsApp process's side of BenchmarkInboundLoad: POST /deliver
// has a phone write to a linked number (whatsapptest.Server.Deliver) and
// answers once the device acknowledged it.

// fakeDelivery is the body of POST /deliver.
type fakeDelivery struct {
	To       string `json:"to"`   // the linked phone number
	ID       string `json:"id"`   // WhatsApp message id
	From     string `json:"from"` // the sender's phone number
	PushName string `json:"pushName"`
	Text     string `json:"text"` // the text, or the image's caption
	// ImageBytes > 0 makes it an image of that many bytes. The image is
	// encrypted and hosted once per size (AttachMedia) and every image
	// message of that size points at it, as a forwarded photo does.
	ImageBytes int `json:"imageBytes"`
}

// serveInboundControl adds POST /deliver to the fake process's control API.
func serveInboundControl(mux *http.ServeMux, s *whatsapptest.Server) {
	var mu sync.Mutex
	images := map[int]*waE2E.ImageMessage{}
	image := func(size int) (*waE2E.ImageMessage, error) {
		mu.Lock()
		defer mu.Unlock()
		if x := images[size]; x != nil {
			return x, nil
		}
		data := make([]byte, size)
		r := rand.NewChaCha8([32]byte{1}) // incompressible, the same every run
		_, _ = r.Read(data)
		copy(data, "\xff\xd8\xff\xe0\x00\x10JFIF\x00")
		m := &waE2E.Message{ImageMessage: &waE2E.ImageMessage{Mimetype: proto.String("image/jpeg")}}
		if _, err := s.AttachMedia(m, data); err != nil {
			return nil, err
		}
		images[size] = m.GetImageMessage()
		return images[size], nil
	}
	mux.HandleFunc("POST /deliver", func(w http.ResponseWriter, r *http.Request) {
		var req fakeDelivery
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		m := &waE2E.Message{Conversation: proto.String(req.Text)}
		if req.ImageBytes > 0 {
			x, err := image(req.ImageBytes)
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			x = proto.Clone(x).(*waE2E.ImageMessage)
			x.Caption = proto.String(req.Text)
			m = &waE2E.Message{ImageMessage: x}
		}
		ctx, cancel := context.WithTimeout(r.Context(), 60*time.Second)
		defer cancel()
		err := s.Deliver(ctx, types.NewJID(req.To, types.DefaultUserServer), whatsapptest.Inbound{ID: req.ID, From: req.From,
			PushName: req.PushName, Message: m})
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// deliver has the fake process deliver one message; it returns once the
// gateway acknowledged it to the fake server.
func (p *fakeWAProcess) deliver(ctx context.Context, c *http.Client, d fakeDelivery) error {
	body, _ := json.Marshal(d)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.Control+"/deliver", bytes.NewReader(body))
	if err != nil {
		return err
	}
	res, err := c.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	got, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusNoContent {
		return errors.New(strings.TrimSpace(string(got)))
	}
	return nil
}

// hookRecorder is the one webhook receiver of every instance: it checks
// each message.received's signature and records when it arrived, by
// WhatsApp message id.
type hookRecorder struct {
	secret string
	mu     sync.Mutex
	at     map[string]time.Time
	dups   int
	bad    []string // what was wrong with a delivery (bad signature, media error...)
}

func (h *hookRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, err := io.ReadAll(r.Body)
	now := time.Now()
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusNoContent)
	var ev struct {
		Event string `json:"event"`
		Data  struct {
			MessageID   string `json:"messageId"`
			MessageType string `json:"messageType"`
			Media       *struct {
				Error string `json:"error"`
				Size  *int64 `json:"size"`
			} `json:"media"`
		} `json:"data"`
	}
	if r.Header.Get("X-Gateway-Event") != "message.received" {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case json.Unmarshal(raw, &ev) != nil || ev.Data.MessageID == "":
		h.bad = append(h.bad, "unreadable message.received: "+string(raw))
		return
	case r.Header.Get("X-Gateway-Signature") != webhook.Sign(h.secret, raw):
		h.bad = append(h.bad, ev.Data.MessageID+": bad signature")
	case ev.Data.MessageType == "imageMessage" && (ev.Data.Media == nil || ev.Data.Media.Error != "" || ev.Data.Media.Size == nil):
		h.bad = append(h.bad, ev.Data.MessageID+": media not stored: "+string(raw))
	}
	if _, ok := h.at[ev.Data.MessageID]; ok {
		h.dups++
		return
	}
	h.at[ev.Data.MessageID] = now
}

// arrived is when the message's webhook came, if it did.
func (h *hookRecorder) arrived(id string) (time.Time, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	t, ok := h.at[id]
	return t, ok
}

func (h *hookRecorder) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.at)
}

// heapSample is the session host's memory at one second of the load.
type heapSample struct {
	at   time.Duration // since the load began
	live int64         // Go heap live after the last GC (/gc/heap/live:bytes)
	rss  int64
}

// sampleHeap samples every second until stop closes.
func sampleHeap(stop <-chan struct{}, start time.Time) <-chan []heapSample {
	out := make(chan []heapSample, 1)
	go func() {
		var samples []heapSample
		m := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-stop:
				out <- samples
				return
			case <-t.C:
				metrics.Read(m)
				r, _ := rss()
				samples = append(samples, heapSample{at: time.Since(start), live: int64(m[0].Value.Uint64()), rss: r})
			}
		}
	}()
	return out
}

// liveHeap collects garbage and returns the live heap.
func liveHeap() int64 {
	runtime.GC()
	m := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(m)
	return int64(m[0].Value.Uint64())
}

// sent is one inbound message of the load.
type sent struct {
	id    string
	image bool
	start time.Time // when Deliver was asked for
	err   error     // of Deliver
}

// BenchmarkInboundLoad links -bench.inbound.sessions instances through
// the whatsmeow driver to the fake WhatsApp server in a child process (as
// BenchmarkSessionDensity does), each with its webhook at one local
// receiver, and has phones write to random linked numbers at
// -bench.inbound.rate messages per second in all for
// -bench.inbound.duration, every 5th an image of -bench.inbound.imagebytes.
// It reports the webhook latency (webhook arrival − Deliver start: the
// Signal-encrypted message over the websocket, the host storing it, the
// image downloaded, decrypted and stored, the signed message.received
// delivered), the memory per session after the load and the growth of
// the live Go heap from -bench.inbound.warmup into the load to its end.
//
// Its baseline, measured in the same run, is the same process with the
// same sessions linked and idle just before the load (what
// BenchmarkSessionDensity measures); the latency and growth figures are
// held against the targets. Every message must reach the webhook
// once: the benchmark fails otherwise.
//
// Shorter local runs: -bench.inbound.sessions 100 -bench.inbound.duration 20s.
func BenchmarkInboundLoad(b *testing.B) {
	n, rate, dur := *inboundSessions, *inboundRate, *inboundDuration
	total := int(rate * dur.Seconds())
	require.Positive(b, total, "-bench.inbound.rate × -bench.inbound.duration is no message")
	wa := startFakeWAProcess(b)
	whatsapptest.TrustTestRoot(b)
	hook := &hookRecorder{secret: "0123456789abcdef", at: make(map[string]time.Time, total)}
	hookSrv := httptest.NewServer(hook)
	b.Cleanup(hookSrv.Close)
	ctx, app, names := openBenchHost(b, wa, hookSrv.URL+"/hook", "inbound", n)
	base := measure(b, 2*time.Second)

	b.ResetTimer()
	linkStart := time.Now()
	linkAll(b, ctx, app, wa, names)
	linking := time.Since(linkStart)
	idle := measure(b, *densityIdle)

	ctl := &http.Client{Timeout: 90 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	defer ctl.CloseIdleConnections()
	msgs := make([]sent, total)
	rnd := rand.New(rand.NewPCG(1, 2))
	var wg sync.WaitGroup
	var inflight, maxInflight atomic.Int64
	stop := make(chan struct{})
	loadStart := time.Now()
	samples := sampleHeap(stop, loadStart)
	warm := make(chan int64, 1) // the live heap -bench.inbound.warmup into the load
	go func() {
		t := time.NewTimer(*inboundWarmup)
		defer t.Stop()
		select {
		case <-t.C:
			warm <- liveHeap()
		case <-stop:
			warm <- 0
		}
	}()
	tick := time.NewTicker(time.Duration(float64(time.Second) / rate))
	for k := range msgs {
		<-tick.C
		to := rnd.IntN(n)
		image := *inboundImage > 0 && k%5 == 4
		msgs[k] = sent{id: fmt.Sprintf("3EB0BE%014X", k), image: image}
		d := fakeDelivery{To: benchPhone(to), ID: msgs[k].id, From: fmt.Sprintf("54922%08d", k%50), PushName: "Bench Sender",
			Text: fmt.Sprintf("inbound load message %d to session %d", k, to)}
		if image {
			d.ImageBytes = *inboundImage
		}
		m := &msgs[k]
		wg.Go(func() {
			for now, peak := inflight.Add(1), maxInflight.Load(); now > peak && !maxInflight.CompareAndSwap(peak, now); {
				peak = maxInflight.Load()
			}
			defer inflight.Add(-1)
			m.start = time.Now()
			m.err = wa.deliver(ctx, ctl, d)
		})
	}
	tick.Stop()
	sending := time.Since(loadStart)
	wg.Wait()
	// The webhooks of the last messages may still be on their way.
	for deadline := time.Now().Add(30 * time.Second); hook.count() < total && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	loadEnd := time.Since(loadStart)
	endLive := liveHeap()
	close(stop)
	series, warmLive := <-samples, <-warm
	b.StopTimer()
	after := measure(b, 5*time.Second)
	if warmLive == 0 { // a load shorter than the warm-up
		warmLive = endLive
	}

	var all, texts, images []time.Duration
	var failed []string
	for _, m := range msgs {
		if m.err != nil {
			failed = append(failed, fmt.Sprintf("%s: deliver: %v", m.id, m.err))
			continue
		}
		at, ok := hook.arrived(m.id)
		if !ok {
			failed = append(failed, m.id+": no webhook within 30 s")
			continue
		}
		lat := at.Sub(m.start)
		all = append(all, lat)
		if m.image {
			images = append(images, lat)
		} else {
			texts = append(texts, lat)
		}
	}
	delivered := len(all)
	pct := func(s []time.Duration, p float64) time.Duration {
		if len(s) == 0 {
			return 0
		}
		slices.Sort(s)
		return s[int(float64(len(s)-1)*p)]
	}
	p50, p99 := pct(all, 0.50), pct(all, 0.99)
	perRSS := func(f footprint) float64 { return float64(f.rss-base.rss) / float64(n) / 1024 }
	perHeap := func(f footprint) float64 { return float64(f.heap-base.heap) / float64(n) / 1024 }
	perG := func(f footprint) float64 { return float64(f.goroutines-base.goroutines) / float64(n) }
	growth := float64(endLive-warmLive) / (1 << 20)
	var rssWarm, rssEnd int64
	var liveMin, liveMax int64
	for _, s := range series {
		if s.at < *inboundWarmup {
			continue
		}
		if rssWarm == 0 {
			rssWarm, liveMin, liveMax = s.rss, s.live, s.live
		}
		rssEnd = s.rss
		liveMin, liveMax = min(liveMin, s.live), max(liveMax, s.live)
	}
	writeHeapProfile(b)

	b.ReportMetric(perRSS(after), "rss-KiB/session")
	b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
	b.ReportMetric(growth, "heap-growth-MiB")
	b.ReportMetric(float64(delivered), "delivered")
	mib := func(v int64) string { return fmt.Sprintf("%.1f MiB", float64(v)/(1<<20)) }
	ms := func(d time.Duration) string { return d.Round(time.Millisecond).String() }
	kind := "text only"
	if *inboundImage > 0 {
		kind = fmt.Sprintf("every 5th a %d KB image", *inboundImage/1000)
	}
	fmt.Printf("\nInbound load (%d linked whatsmeow sessions, fake WhatsApp server in a child process; %.0f msg/s over random sessions for %s, %s; message.received to one local webhook receiver)\n",
		n, rate, dur, kind)
	fmt.Printf("| session host | target | baseline: linked, idle before the load | after the load |\n|---|---|---|---|\n")
	fmt.Printf("| RSS per session | < 400 KiB | %.0f KiB | %.0f KiB |\n", perRSS(idle), perRSS(after))
	fmt.Printf("| Go heap+stacks per session | | %.0f KiB | %.0f KiB |\n", perHeap(idle), perHeap(after))
	fmt.Printf("| goroutines per session | | %.2f | %.2f |\n", perG(idle), perG(after))
	fmt.Printf("| process RSS / Go heap+stacks | | %s / %s | %s / %s |\n", mib(idle.rss), mib(idle.heap), mib(after.rss), mib(after.heap))
	fmt.Printf("| live Go heap growth, %s into the load → its end | none | | %+.1f MiB (%s → %s; 1 s samples %s–%s) |\n",
		*inboundWarmup, growth, mib(warmLive), mib(endLive), mib(liveMin), mib(liveMax))
	fmt.Printf("| RSS, %s into the load → its end | | | %s → %s |\n", *inboundWarmup, mib(rssWarm), mib(rssEnd))
	fmt.Printf("| inbound → webhook p50 / p99, all | p99 < 1 s | | %s / %s |\n", ms(p50), ms(p99))
	fmt.Printf("| … text | | | %s / %s (%d) |\n", ms(pct(texts, 0.5)), ms(pct(texts, 0.99)), len(texts))
	if len(images) > 0 {
		fmt.Printf("| … image | | | %s / %s (%d) |\n", ms(pct(images, 0.5)), ms(pct(images, 0.99)), len(images))
	}
	fmt.Printf("| delivered (webhook once per message) | = sent | | %d of %d (%d duplicate webhooks) |\n", delivered, total, hook.dups)
	fmt.Printf("linking took %s (%d at a time); sending took %s, the last webhook came %s after the first message; at most %d deliveries in flight\n\n",
		linking.Round(time.Millisecond), *densityLinkers, sending.Round(time.Millisecond), loadEnd.Round(time.Millisecond), maxInflight.Load())

	hook.mu.Lock()
	bad := slices.Clone(hook.bad)
	hook.mu.Unlock()
	if len(failed) > 0 || len(bad) > 0 {
		b.Fatalf("%d of %d messages not delivered, %d bad webhooks; first: %q %q", len(failed), total, len(bad), firstOf(failed), firstOf(bad))
	}
}

func firstOf(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}
