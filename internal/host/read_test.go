package host_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/instance"
)

func (d *fakeDriver) MarkRead(_ context.Context, inst string, r driver.ReadReceipt) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.open[inst] {
		return driver.ErrNotConnected
	}
	if d.readErr != nil {
		return d.readErr
	}
	r.WAMessageIDs = slices.Clone(r.WAMessageIDs)
	d.reads = append(d.reads, r)
	return nil
}

func (d *fakeDriver) readList() []driver.ReadReceipt {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]driver.ReadReceipt(nil), d.reads...)
}

func (d *fakeDriver) setReadErr(err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.readErr = err
}

// TestMarkRead: the host looks each id up among the messages the
// instance received and sends one receipt per chat and writer, ids in
// request order, a repeated id once; an id it does not know fails the
// whole request with a 400 at each such index, before anything is sent;
// a closed instance is a 409, a driver failure a 502.
func TestMarkRead(t *testing.T) {
	r, _, _ := newRig(t, filepath.Join(t.TempDir(), "g.db"))
	yes := true
	openInstance(t, r, &instance.SettingsPatch{ReceiveGroups: &yes})
	other, err := r.svc.CreateInstance(context.Background(), "acme", gateway.CreateInstanceInput{InstanceName: "acme__c__other",
		WebhookURL: "https://hooks.example.com/x", WebhookSecret: "0123456789abcdef"})
	require.NoError(t, err)
	r.drv.scan(other.Name.String(), "5491199999998")
	const (
		juan  = "5491112345678"
		carla = "5491155550000"
		group = "120363025246125486@g.us"
	)
	at := time.Now().UTC().Truncate(time.Second)
	for _, in := range []driver.Inbound{
		{MessageID: "3EB0A1", From: juan, Chat: juan},
		{MessageID: "3EB0A2", From: juan, Chat: juan},
		{MessageID: "3EB0G1", From: carla, Chat: group, IsGroup: true},
		{MessageID: "3EB0G2", From: juan, Chat: group, IsGroup: true},
		{MessageID: "3EB0C1", From: carla, Chat: carla},
	} {
		in.PushName, in.MessageType, in.Text, in.Timestamp = "Someone", "conversation", "hola", at
		require.NoError(t, r.host.Received(mainInst, in))
	}
	require.NoError(t, r.host.Received("acme__c__other", driver.Inbound{MessageID: "3EB0X1", From: juan, Chat: juan,
		MessageType: "conversation", Text: "to the other instance", Timestamp: at}))
	ctx := context.Background()

	t.Run("grouped by chat and writer", func(t *testing.T) {
		before := time.Now()
		require.NoError(t, r.host.MarkRead(ctx, mainInst, []string{"3EB0G1", "3EB0A1", "3EB0C1", "3EB0A2", "3EB0G2", "3EB0A1"}))
		got := r.drv.readList()
		for i := range got {
			require.WithinRange(t, got[i].At, before.Add(-time.Second), time.Now(), "stamped with the host's clock")
			got[i].At = time.Time{}
		}
		require.Equal(t, []driver.ReadReceipt{
			{Chat: group, Sender: carla, WAMessageIDs: []string{"3EB0G1"}},
			{Chat: juan, Sender: juan, WAMessageIDs: []string{"3EB0A1", "3EB0A2"}},
			{Chat: carla, Sender: carla, WAMessageIDs: []string{"3EB0C1"}},
			{Chat: group, Sender: juan, WAMessageIDs: []string{"3EB0G2"}},
		}, got)
	})

	tests := []struct {
		name    string
		ids     []string
		readErr error
		closed  bool
		check   func(t *testing.T, err error)
	}{
		{"unknown ids, each by its index", []string{"3EB0A1", "NOPE", "3EB0X1", "NOPE"}, nil, false, func(t *testing.T, err error) {
			var v *fault.ValidationError
			require.ErrorAs(t, err, &v)
			require.Equal(t, []fault.Issue{
				{Path: []any{"messageIds", 1}, Message: "Not a message this instance received, or past its retention"},
				{Path: []any{"messageIds", 2}, Message: "Not a message this instance received, or past its retention"},
			}, v.Issues, "another instance's message is unknown here; a repeat is reported once")
		}},
		{"no ids", nil, nil, false, func(t *testing.T, err error) {
			var v *fault.ValidationError
			require.ErrorAs(t, err, &v)
		}},
		{"driver fails", []string{"3EB0A1"}, errors.New("websocket closed mid-write"), false, func(t *testing.T, err error) {
			require.ErrorIs(t, err, fault.ErrSession)
			var fe *fault.Error
			require.ErrorAs(t, err, &fe)
			require.NotContains(t, fe.Msg, "websocket", "the driver's text stays in the log")
		}},
		{"instance not open", []string{"3EB0A1"}, nil, true, func(t *testing.T, err error) {
			require.ErrorIs(t, err, fault.ErrConflict)
			require.True(t, strings.HasPrefix(err.Error(), "Instance is not open"), err.Error())
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := len(r.drv.readList())
			r.drv.setReadErr(tt.readErr)
			t.Cleanup(func() { r.drv.setReadErr(nil) })
			if tt.closed {
				r.drv.Disconnect(mainInst)
			}
			tt.check(t, r.host.MarkRead(ctx, mainInst, tt.ids))
			require.Len(t, r.drv.readList(), n, "nothing sent")
		})
	}
}
