package host_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/host"
	"github.com/wagateway/wagateway/internal/instance"
	"github.com/wagateway/wagateway/internal/message"
)

// shownPresence is one Presence call, with how many messages had been
// sent when it came.
type shownPresence struct {
	to         string
	state      driver.ChatPresence
	sentBefore int
}

func (d *fakeDriver) Presence(ctx context.Context, _ string, to string, state driver.ChatPresence) error {
	d.mu.Lock()
	hold := d.presenceHold
	d.mu.Unlock()
	if hold != nil {
		hold(ctx)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.presences = append(d.presences, shownPresence{to: to, state: state, sentBefore: len(d.sent)})
	return nil
}

func (d *fakeDriver) presenceList() []shownPresence {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]shownPresence(nil), d.presences...)
}

// openInstance creates acme__c__main with settings and links it.
func openInstance(t *testing.T, r *rig, settings *instance.SettingsPatch) {
	t.Helper()
	ctx := context.Background()
	_, err := r.svc.CreateTenant(ctx, "acme")
	require.NoError(t, err)
	_, err = r.svc.CreateInstance(ctx, "acme", gateway.CreateInstanceInput{InstanceName: "acme__c__main",
		WebhookURL: "https://hooks.example.com/x", WebhookSecret: "0123456789abcdef", Settings: settings})
	require.NoError(t, err)
	_, err = r.host.LinkQR(ctx, "acme__c__main")
	require.NoError(t, err)
	r.drv.scan("acme__c__main", "5491199999999")
}

// oggServer serves a tiny Ogg file, enough to be sniffed as audio.
func oggServer(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write(append([]byte("OggS\x00\x02"), make([]byte, 64)...))
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/note.ogg"
}

// TestTypingAroundASend: the chat shows composing (recording before
// audio) while the message waits out its delay, and paused once it was
// handed to the driver.
func TestTypingAroundASend(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   func(url string) gateway.SendInput
		want driver.ChatPresence
	}{
		{"text", func(string) gateway.SendInput { return text("5491100000001", "hi", "normal") }, driver.Composing},
		{"audio", func(url string) gateway.SendInput {
			return gateway.SendInput{InstanceName: "acme__c__main", To: "5491100000001", Lane: "normal",
				Type: message.Audio, Content: message.Content{MediaURL: url}}
		}, driver.Recording},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := clock.NewFake(time.Now())
			r, _, _ := newClockRig(t, filepath.Join(t.TempDir(), "g.db"), 1, clk)
			openInstance(t, r, nil)
			_, _, err := r.svc.Send(context.Background(), "acme", tc.in(oggServer(t)), "")
			require.NoError(t, err)

			// The fake clock holds the send until the test advances it.
			waitFor(t, "typing shown", func() bool { return len(r.drv.presenceList()) == 1 })
			require.Equal(t, shownPresence{to: "5491100000001", state: tc.want, sentBefore: 0}, r.drv.presenceList()[0])
			require.Empty(t, r.drv.sentList())

			waitFor(t, "sent", func() bool { clk.Advance(time.Minute); return len(r.drv.sentList()) == 1 })
			waitFor(t, "paused", func() bool { return len(r.drv.presenceList()) == 2 })
			require.Equal(t, shownPresence{to: "5491100000001", state: driver.Paused, sentBefore: 1}, r.drv.presenceList()[1])
		})
	}
}

// TestNoTypingWhenDisabled: with typingSimulation off nothing is shown;
// once the host is told of a change (as PATCH .../settings does), it
// applies to the next message.
func TestNoTypingWhenDisabled(t *testing.T) {
	// Urgent waits 100–200 ms: time enough to show typing.
	r, _, _ := newScaledRig(t, filepath.Join(t.TempDir(), "g.db"), 0.1)
	off, on := false, true
	openInstance(t, r, &instance.SettingsPatch{TypingSimulation: &off})
	ctx := context.Background()
	_, _, err := r.svc.Send(ctx, "acme", text("5491100000001", "quiet", "urgent"), "")
	require.NoError(t, err)
	waitFor(t, "first sent", func() bool { return len(r.drv.sentList()) == 1 })

	_, err = r.svc.UpdateSettings(ctx, "acme", "acme__c__main", instance.SettingsPatch{TypingSimulation: &on})
	require.NoError(t, err)
	r.host.SettingsChanged(ctx, "acme__c__main")
	_, _, err = r.svc.Send(ctx, "acme", text("5491100000002", "typed", "urgent"), "")
	require.NoError(t, err)
	waitFor(t, "second sent", func() bool { return len(r.drv.sentList()) == 2 })
	// One chat's presences never overlap (each typist waits for the one
	// before), so once the second's paused is there the first's typist
	// has long finished: everything it showed would be listed.
	waitFor(t, "typing of the second", func() bool { return len(r.drv.presenceList()) >= 2 })
	for _, p := range r.drv.presenceList() {
		require.Equal(t, "5491100000002", p.to, "nothing shown for the first message")
	}
}

// TestTypingNeverDelaysTheSend: a driver whose Presence hangs does not
// hold a send past its delay.
func TestTypingNeverDelaysTheSend(t *testing.T) {
	r, _, _ := newRig(t, filepath.Join(t.TempDir(), "g.db"))
	release := make(chan struct{})
	t.Cleanup(func() { close(release) }) // before the rig stops (cleanups run last first)
	r.drv.presenceHold = func(ctx context.Context) {
		select {
		case <-release:
		case <-ctx.Done():
		}
	}
	openInstance(t, r, nil)
	_, _, err := r.svc.Send(context.Background(), "acme", text("5491100000001", "hi", "urgent"), "")
	require.NoError(t, err)
	// The urgent delay is milliseconds here; the presence call hangs for
	// its whole 5 s timeout.
	require.Eventually(t, func() bool { return len(r.drv.sentList()) == 1 }, 2*time.Second, 5*time.Millisecond)
}

// TestPausedWhenTheWaitEndsWithoutASend: a message flushed while it waits
// is never sent, and its chat goes back to paused.
func TestPausedWhenTheWaitEndsWithoutASend(t *testing.T) {
	clk := clock.NewFake(time.Now())
	r, _, _ := newClockRig(t, filepath.Join(t.TempDir(), "g.db"), 1, clk)
	openInstance(t, r, nil)
	ctx := context.Background()
	_, _, err := r.svc.Send(ctx, "acme", text("5491100000001", "never", "normal"), "")
	require.NoError(t, err)
	waitFor(t, "typing shown", func() bool { return len(r.drv.presenceList()) == 1 })
	n, err := r.svc.FlushQueue(ctx, "acme", "acme__c__main")
	require.NoError(t, err)
	require.Equal(t, 1, n)

	waitFor(t, "paused", func() bool { clk.Advance(time.Minute); return len(r.drv.presenceList()) == 2 })
	require.Equal(t, shownPresence{to: "5491100000001", state: driver.Paused}, r.drv.presenceList()[1])
	require.Empty(t, r.drv.sentList())
}

// TestSettingsChangeNotHeardOf: a change the host was not told of (a lost
// notification) is followed once the host's copy is SettingsMaxAge old,
// and not before: the copy saves a read per message.
func TestSettingsChangeNotHeardOf(t *testing.T) {
	clk := clock.NewFake(time.Now())
	r, _, _ := newClockRig(t, filepath.Join(t.TempDir(), "g.db"), 1, clk)
	off, on := false, true
	openInstance(t, r, &instance.SettingsPatch{TypingSimulation: &off})
	ctx := context.Background()
	send := func(to string, n int) {
		t.Helper()
		_, _, err := r.svc.Send(ctx, "acme", text(to, "hi", "urgent"), "")
		require.NoError(t, err)
		waitFor(t, "sent", func() bool { clk.Advance(time.Second); return len(r.drv.sentList()) == n })
	}
	send("5491100000001", 1)
	_, err := r.svc.UpdateSettings(ctx, "acme", "acme__c__main", instance.SettingsPatch{TypingSimulation: &on})
	require.NoError(t, err)
	send("5491100000002", 2)
	require.Empty(t, r.drv.presenceList(), "the copy is current: no read, no typing")

	clk.Advance(host.SettingsMaxAge)
	send("5491100000003", 3)
	waitFor(t, "typing of the third", func() bool { return len(r.drv.presenceList()) >= 2 })
	for _, p := range r.drv.presenceList() {
		require.Equal(t, "5491100000003", p.to)
	}
}
