package host_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/host"
	"github.com/wagateway/wagateway/internal/instance"
	"github.com/wagateway/wagateway/internal/message"
)

// Edit and Revoke record the change among the sends, as the sandbox does,
// so tests see the order things reached WhatsApp.
func (d *fakeDriver) Edit(_ context.Context, inst string, e driver.Edit) error {
	return d.change(inst, driver.Outbound{MessageID: e.MessageID, WAMessageID: e.TargetWAID, To: e.To,
		Type: message.Type(message.ChangeEdit), Text: e.Text})
}

func (d *fakeDriver) Revoke(_ context.Context, inst string, r driver.Revoke) error {
	return d.change(inst, driver.Outbound{MessageID: r.MessageID, WAMessageID: r.TargetWAID, To: r.To,
		Type: message.Type(message.ChangeRevoke)})
}

func (d *fakeDriver) change(inst string, out driver.Outbound) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.open[inst] {
		return driver.ErrNotConnected
	}
	d.sent = append(d.sent, out)
	return nil
}

// TestChangesWaitForTheSendInFlight: an edit and a deletion queued while
// a send is in flight go out after it, on the instance's one sender, and
// are recorded on the message; they are not sends.
func TestChangesWaitForTheSendInFlight(t *testing.T) {
	r, _, _ := newRig(t, filepath.Join(t.TempDir(), "g.db"))
	ctx := context.Background()
	linkInstances(t, r, "acme__c__main")
	acc, _, err := r.svc.Send(ctx, "acme", text("5491100000001", "helo", "normal"), "")
	require.NoError(t, err)
	first := acc.ID
	waitFor(t, "first sent", func() bool { return len(r.drv.sentList()) == 1 })
	waitFor(t, "first recorded", func() bool {
		m, err := r.store.GetMessage(ctx, first)
		return err == nil && m.Status == message.Sent
	})

	inFlight, release := make(chan struct{}), make(chan struct{})
	r.drv.setHold(func(out driver.Outbound) error {
		if out.Text == "in flight" {
			close(inFlight)
			<-release
		}
		return nil
	})
	_, _, err = r.svc.Send(ctx, "acme", text("5491100000002", "in flight", "bulk"), "")
	require.NoError(t, err)
	<-inFlight
	hello := "hello"
	_, queued, err := r.svc.EditMessage(ctx, "acme", first, message.Edit{Text: &hello})
	require.NoError(t, err)
	require.True(t, queued)
	_, queued, err = r.svc.DeleteMessage(ctx, "acme", first)
	require.NoError(t, err)
	require.True(t, queued)
	close(release)

	waitFor(t, "both changes out", func() bool { return len(r.drv.sentList()) == 4 })
	var order []string
	for _, out := range r.drv.sentList() {
		order = append(order, string(out.Type)+":"+out.Text)
	}
	require.Equal(t, []string{"text:helo", "text:in flight", "edit:hello", "revoke:"}, order)
	require.Equal(t, host.WAMessageID(first), r.drv.sentList()[2].WAMessageID, "the edit names the original")
	waitFor(t, "changes recorded", func() bool {
		m, err := r.store.GetMessage(ctx, first)
		return err == nil && !m.EditedAt.IsZero() && !m.RevokedAt.IsZero()
	})
	m, err := r.store.GetMessage(ctx, first)
	require.NoError(t, err)
	require.Equal(t, "hello", m.Content.Text, "the stored content is the edited one once it went out")
	require.Equal(t, message.Sent, m.Status)
}

// TestNoTypingBeforeChanges: with typing simulation on, a send shows
// typing and then paused in its chat; an edit and a deletion show nothing.
// Typists run one after another, so once the next send's paused is shown
// anything the changes showed would be listed too.
func TestNoTypingBeforeChanges(t *testing.T) {
	r, _, _ := newScaledRig(t, filepath.Join(t.TempDir(), "g.db"), 0.1)
	on := true
	openInstance(t, r, &instance.SettingsPatch{TypingSimulation: &on})
	ctx := context.Background()
	acc, _, err := r.svc.Send(ctx, "acme", text("5491100000001", "helo", "urgent"), "")
	require.NoError(t, err)
	waitFor(t, "first sent and recorded", func() bool {
		m, err := r.store.GetMessage(ctx, acc.ID)
		return err == nil && m.Status == message.Sent
	})
	hello := "hello"
	_, _, err = r.svc.EditMessage(ctx, "acme", acc.ID, message.Edit{Text: &hello})
	require.NoError(t, err)
	_, _, err = r.svc.DeleteMessage(ctx, "acme", acc.ID)
	require.NoError(t, err)
	_, _, err = r.svc.Send(ctx, "acme", text("5491100000002", "next", "urgent"), "")
	require.NoError(t, err)
	waitFor(t, "all out", func() bool { return len(r.drv.sentList()) == 4 })
	waitFor(t, "the next send's paused", func() bool {
		ps := r.drv.presenceList()
		return len(ps) > 0 && ps[len(ps)-1].to == "5491100000002" && ps[len(ps)-1].state == driver.Paused
	})
	var shown []string
	for _, p := range r.drv.presenceList() {
		shown = append(shown, p.to+":"+string(p.state))
	}
	require.Equal(t, []string{"5491100000001:composing", "5491100000001:paused",
		"5491100000002:composing", "5491100000002:paused"}, shown)
}

// TestEditDuringMediaFetchIsSent: a PATCH that lands after the host read
// the pending message but before it claimed it (here: while its image is
// fetched) is what goes out.
func TestEditDuringMediaFetchIsSent(t *testing.T) {
	fetching, release := make(chan struct{}, 1), make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fetching <- struct{}{}
		<-release
		_, _ = w.Write(append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...))
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	r, _, _ := newRig(t, filepath.Join(t.TempDir(), "g.db"))
	ctx := context.Background()
	linkInstances(t, r, "acme__c__main")
	acc, _, err := r.svc.Send(ctx, "acme", gateway.SendInput{InstanceName: "acme__c__main", To: "5491100000001",
		Lane: "urgent", Type: message.Image, Content: message.Content{MediaURL: srv.URL + "/a.png", Caption: "old"}}, "")
	require.NoError(t, err)
	<-fetching
	caption := "{new|new}"
	_, queued, err := r.svc.EditMessage(ctx, "acme", acc.ID, message.Edit{Caption: &caption})
	require.NoError(t, err)
	require.False(t, queued, "still pending: replaced in place")
	release <- struct{}{}
	waitFor(t, "image sent", func() bool { return len(r.drv.sentList()) == 1 })
	require.Equal(t, "new", r.drv.sentList()[0].Caption)
}
