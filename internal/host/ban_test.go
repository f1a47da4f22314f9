package host_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/instance"
	"github.com/wagateway/wagateway/internal/message"
)

const mainInst = "acme__c__main"

// newFakeClockRig is a rig whose host runs on a fake clock, with one
// linked, open instance.
func newFakeClockRig(t *testing.T) (*rig, *clock.Fake) {
	t.Helper()
	clk := clock.NewFake(time.Now())
	r, _, _ := newClockRig(t, filepath.Join(t.TempDir(), "g.db"), 0.001, clk)
	linkInstances(t, r, mainInst)
	return r, clk
}

// linkInstances creates tenant acme and the named instances, and links
// each (QR, then the phone scans it).
func linkInstances(t *testing.T, r *rig, names ...string) {
	t.Helper()
	ctx := context.Background()
	_, err := r.svc.CreateTenant(ctx, "acme")
	require.NoError(t, err)
	for i, name := range names {
		_, err = r.svc.CreateInstance(ctx, "acme", gateway.CreateInstanceInput{InstanceName: name,
			WebhookURL: "https://hooks.example.com/x", WebhookSecret: "0123456789abcdef"})
		require.NoError(t, err)
		_, err = r.host.LinkQR(ctx, name)
		require.NoError(t, err)
		r.drv.scan(name, "54911999999"+string(rune('0'+i)))
	}
}

// advanceUntil moves the fake clock on by step until cond holds: the
// host's waits (lane delays, reconnects) pass only as the clock moves.
func advanceUntil(t *testing.T, clk *clock.Fake, step time.Duration, what string, cond func() bool) {
	t.Helper()
	require.Eventually(t, func() bool {
		if cond() {
			return true
		}
		clk.Advance(step)
		return false
	}, 10*time.Second, time.Millisecond, what)
}

// advanceQuietly moves the fake clock on by total in steps, giving the
// host's goroutines a moment after each, and requires that nothing is
// sent and no reconnect is tried meanwhile.
func advanceQuietly(t *testing.T, r *rig, clk *clock.Fake, total, step time.Duration, sent, connects int) {
	t.Helper()
	for passed := time.Duration(0); passed < total; passed += step {
		clk.Advance(step)
		time.Sleep(2 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	require.Len(t, r.drv.sentList(), sent, "nothing is sent while banned")
	require.Equal(t, connects, r.drv.connectCount(), "no reconnect while banned")
}

func sendText(t *testing.T, r *rig, body string) string {
	t.Helper()
	acc, _, err := r.svc.Send(context.Background(), "acme", text("5491100000001", body, "urgent"), "")
	require.NoError(t, err)
	return acc.ID
}

func requireState(t *testing.T, r *rig, want instance.State) {
	t.Helper()
	in, err := r.store.GetInstance(context.Background(), mainInst)
	require.NoError(t, err)
	require.Equal(t, want, in.State)
	require.NotEmpty(t, in.PhoneNumber, "a ban keeps the link")
}

// requireBannedEvent: a ban is reported as instance.disconnected with
// reason banned, as API.md says.
func requireBannedEvent(t *testing.T, r *rig, want int) {
	t.Helper()
	list, err := r.store.ListDeliveries(context.Background(), mainInst, "", 50)
	require.NoError(t, err)
	n := 0
	for _, d := range list {
		if d.Name == "instance.disconnected" && strings.Contains(string(d.Body), `"reason":"banned"`) {
			n++
		}
	}
	require.Equal(t, want, n)
}

func TestBanPausesSendingUntilItEnds(t *testing.T) {
	r, clk := newFakeClockRig(t)
	first := sendText(t, r, "before")
	advanceUntil(t, clk, 100*time.Millisecond, "sent while open", func() bool { return len(r.drv.sentList()) == 1 })

	until := clk.Now().Add(time.Hour)
	r.drv.ban(mainInst, until)
	requireState(t, r, instance.StateClose)
	requireBannedEvent(t, r, 1)
	second := sendText(t, r, "during")
	time.Sleep(100 * time.Millisecond) // received and held
	advanceQuietly(t, r, clk, 59*time.Minute, time.Minute, 1, 0)
	m, err := r.store.GetMessage(context.Background(), second)
	require.NoError(t, err)
	require.Equal(t, message.Pending, m.Status, "still queued")

	// The ban ends; the host reconnects within 24–36 s and the held
	// message goes out.
	advanceQuietly(t, r, clk, time.Minute+20*time.Second, 10*time.Second, 1, 0)
	advanceUntil(t, clk, 100*time.Millisecond, "reconnected after the ban", func() bool { return r.drv.connectCount() == 1 })
	require.Less(t, clk.Now().Sub(until), 40*time.Second, "soon after the end")
	advanceUntil(t, clk, 100*time.Millisecond, "sent after the ban", func() bool { return len(r.drv.sentList()) == 2 })
	requireState(t, r, instance.StateOpen)
	sent := r.drv.sentList()
	require.Equal(t, []string{first, second}, []string{sent[0].MessageID, sent[1].MessageID})
}

func TestBanWithoutEndStaysDown(t *testing.T) {
	r, clk := newFakeClockRig(t)
	r.drv.ban(mainInst, time.Time{})
	requireState(t, r, instance.StateClose)
	requireBannedEvent(t, r, 1)
	id := sendText(t, r, "during")
	time.Sleep(100 * time.Millisecond)
	advanceQuietly(t, r, clk, 48*time.Hour, 30*time.Minute, 0, 0)
	requireState(t, r, instance.StateClose)

	// A restart is what brings it back.
	require.NoError(t, r.host.Restart(context.Background(), mainInst))
	advanceUntil(t, clk, 100*time.Millisecond, "sent after a restart", func() bool { return len(r.drv.sentList()) == 1 })
	require.Equal(t, id, r.drv.sentList()[0].MessageID)
	requireState(t, r, instance.StateOpen)
}

// TestBanRenewed: WhatsApp may still refuse the connection when the host
// comes back, or when a restart comes during the ban; each new ban
// replaces the scheduled reconnect of the one before.
func TestBanRenewed(t *testing.T) {
	r, clk := newFakeClockRig(t)
	start := clk.Now()
	r.drv.ban(mainInst, start.Add(time.Hour))
	sendText(t, r, "during")
	time.Sleep(100 * time.Millisecond)

	// A restart 10 minutes in finds the ban extended to 3 h.
	advanceQuietly(t, r, clk, 10*time.Minute, time.Minute, 0, 0)
	r.drv.reban(mainInst, start.Add(3*time.Hour))
	require.NoError(t, r.host.Restart(context.Background(), mainInst))
	waitFor(t, "restart refused", func() bool { return r.drv.connectCount() == 1 })
	requireState(t, r, instance.StateClose)
	requireBannedEvent(t, r, 2)

	// The first ban's reconnect (at 1 h) is void; the second one's comes at
	// 3 h, and WhatsApp refuses once more, until 5 h.
	r.drv.reban(mainInst, start.Add(5*time.Hour))
	advanceQuietly(t, r, clk, 3*time.Hour-10*time.Minute, time.Minute, 0, 1)
	advanceUntil(t, clk, time.Second, "reconnect at the end of the second ban", func() bool { return r.drv.connectCount() == 2 })
	requireBannedEvent(t, r, 3)
	advanceQuietly(t, r, clk, 2*time.Hour-time.Minute, time.Minute, 0, 2)
	advanceUntil(t, clk, time.Second, "sent after the third ban", func() bool { return len(r.drv.sentList()) == 1 })
	require.Equal(t, 3, r.drv.connectCount())
	requireState(t, r, instance.StateOpen)
}
