package host_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/host"
	"github.com/wagateway/wagateway/internal/message"
)

func TestReceiptsRecorded(t *testing.T) {
	r, cancel, done := newRig(t, filepath.Join(t.TempDir(), "g.db"))
	ctx := context.Background()
	const other = "acme__c__other"
	linkInstances(t, r, mainInst, other)
	var ids []string
	for i, inst := range []string{mainInst, mainInst, mainInst, other} {
		in := text("5491100000001", "hi", "urgent")
		in.InstanceName = inst
		acc, _, err := r.svc.Send(ctx, "acme", in, "")
		require.NoError(t, err)
		ids = append(ids, acc.ID)
		waitFor(t, "sent", func() bool { return len(r.drv.sentList()) == i+1 })
	}
	for _, id := range ids {
		waitFor(t, "recorded as sent", func() bool { m, _ := r.store.GetMessage(ctx, id); return m.Status == message.Sent })
	}
	get := func(id string) message.Message {
		t.Helper()
		m, err := r.store.GetMessage(ctx, id)
		require.NoError(t, err)
		require.Equal(t, message.Sent, m.Status, "status stays sent")
		return m
	}
	receipt := func(inst string, status driver.ReceiptStatus, at time.Time, waIDs ...string) {
		t.Helper()
		require.NoError(t, r.host.Receipt(inst, driver.Receipt{WAMessageIDs: waIDs, Status: status, At: at}))
	}
	wa := host.WAMessageID
	base := time.Now().UTC().Truncate(time.Millisecond)
	t1, t2, t3 := base.Add(time.Second), base.Add(time.Minute), base.Add(time.Hour)

	// Delivered, then read; a duplicate changes nothing.
	receipt(mainInst, driver.Delivered, t1, wa(ids[0]))
	m := get(ids[0])
	require.Equal(t, t1, m.DeliveredAt)
	require.True(t, m.ReadAt.IsZero())
	receipt(mainInst, driver.Delivered, t2, wa(ids[0]))
	receipt(mainInst, driver.Read, t3, wa(ids[0]))
	receipt(mainInst, driver.Read, t3.Add(time.Minute), wa(ids[0]))
	m = get(ids[0])
	require.Equal(t, t1, m.DeliveredAt, "the duplicate did not move it")
	require.Equal(t, t3, m.ReadAt)

	// Read before delivered: read means delivered.
	receipt(mainInst, driver.Read, t2, wa(ids[1]))
	receipt(mainInst, driver.Delivered, t3, wa(ids[1]))
	m = get(ids[1])
	require.Equal(t, t2, m.DeliveredAt)
	require.Equal(t, t2, m.ReadAt)

	// Unknown ids and another instance's message are ignored, not refused
	// (a refused receipt would come back forever).
	receipt(mainInst, driver.Delivered, t1, "3EB0NOTOURS", wa(ids[3]), wa(ids[2]))
	require.Equal(t, t1, get(ids[2]).DeliveredAt)
	require.True(t, get(ids[3]).DeliveredAt.IsZero(), "not this instance's message")
	receipt(mainInst, driver.Read, t1)
	receipt(mainInst, "played", t1, wa(ids[2]))
	require.True(t, get(ids[2]).ReadAt.IsZero(), "an unknown status is ignored")

	// No time from WhatsApp: the host's.
	receipt(other, driver.Read, time.Time{}, wa(ids[3]))
	m = get(ids[3])
	require.WithinDuration(t, time.Now(), m.ReadAt, time.Minute)
	require.Equal(t, m.ReadAt, m.DeliveredAt)

	// Each message announced its delivery and its read once, whatever
	// the receipts repeated, with the time that set each.
	announced := map[string][]string{}
	for _, inst := range []string{mainInst, other} {
		list, err := r.store.ListDeliveries(ctx, inst, "", 100)
		require.NoError(t, err)
		for _, d := range list {
			var body struct {
				Data struct {
					ID, DeliveredAt, ReadAt string
				}
			}
			require.NoError(t, json.Unmarshal(d.Body, &body))
			if d.Name == "message.delivered" || d.Name == "message.read" {
				announced[body.Data.ID] = append(announced[body.Data.ID], d.Name+"@"+body.Data.DeliveredAt+body.Data.ReadAt)
			}
		}
	}
	at := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
	require.ElementsMatch(t, []string{"message.delivered@" + at(t1), "message.read@" + at(t3)}, announced[ids[0]])
	require.ElementsMatch(t, []string{"message.delivered@" + at(t2), "message.read@" + at(t2)}, announced[ids[1]])
	require.ElementsMatch(t, []string{"message.delivered@" + at(t1)}, announced[ids[2]])
	require.Len(t, announced[ids[3]], 2)

	// A store that cannot record it: the error goes back to the driver,
	// which leaves the receipt unacknowledged.
	cancel()
	<-done
	require.Error(t, r.host.Receipt(mainInst, driver.Receipt{WAMessageIDs: []string{wa(ids[2])}, Status: driver.Read, At: t2}))
}
