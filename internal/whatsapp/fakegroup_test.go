package whatsapp

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow/store/sqlstore"
	"go.mau.fi/whatsmeow/types"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/driver/drivertest"
	"github.com/wagateway/wagateway/internal/message"
	"github.com/wagateway/wagateway/internal/whatsapp/whatsapptest"
)

// Sends to groups, through the driver and real whatsmeow clients, to the
// fake WhatsApp server: there whatsmeow fetches the group's members, their
// devices and prekeys, and sends the content once under its sender key,
// with the key sealed for each member device. The members' phones at the
// fake read it back, which checks the whole group path on the wire.

const (
	phoneC  = "5491155550000"
	groupID = "120363025246125486"
)

// onFakeServer is a driver whose whatsmeow clients reach srv, with inst
// linked to number through the driver's own QR linking. It returns the
// driver and the linked device.
func onFakeServer(t *testing.T, srv *whatsapptest.Server, number string) (*Driver, types.JID) {
	t.Helper()
	d, jid, _ := linkedOnFakeServer(t, srv, number, Config{})
	return d, jid
}

// linkedOnFakeServer is onFakeServer with the driver's events and the
// optional parts of its Config (TempDir) given by the test.
func linkedOnFakeServer(t *testing.T, srv *whatsapptest.Server, number string, cfg Config) (*Driver, types.JID, *drivertest.Recorder) {
	t.Helper()
	ctx := context.Background()
	// One SQLite file for whatsmeow's tables and the bindings, as locally
	// (sessionhost): transactions take the write lock when they begin, or
	// whatsmeow's decrypting transaction meets SQLITE_BUSY on upgrade.
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "gateway.db")+
		"?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_txlock=immediate")
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	devices := sqlstore.NewWithDB(db, "sqlite", nil)
	require.NoError(t, devices.Upgrade(ctx))
	bindings, err := NewSQLiteBindings(ctx, db)
	require.NoError(t, err)
	ev := drivertest.NewRecorder()
	cfg.Devices, cfg.Bindings, cfg.Events, cfg.Clock, cfg.Log = devices, bindings, ev, clock.Real{}, quietLog()
	cfg.HTTPClient = srv.HTTPClient()
	d, err := New(cfg)
	require.NoError(t, err)
	t.Cleanup(d.Close)

	require.NoError(t, d.Link(ctx, inst))
	jid, err := srv.Scan(ctx, ev.WaitFor(t, inst, drivertest.QR).Code, number)
	require.NoError(t, err)
	require.Equal(t, number, ev.WaitFor(t, inst, drivertest.Connected).Phone)
	return d, jid, ev
}

// TestGroupSendOnFakeServer: a group of the instance and two others gets a
// text with mentions, a second text under the same sender key, and an
// image; each member's phone (the sender's own among them) reads each.
func TestGroupSendOnFakeServer(t *testing.T) {
	srv := whatsapptest.NewServer(t)
	d, jid := onFakeServer(t, srv, phoneA)
	group, err := srv.CreateGroup(groupID, "Ventas", phoneB, phoneA, phoneC)
	require.NoError(t, err)
	to := group.String()
	photo := []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00 a photo of the order")

	steps := []struct {
		name  string
		out   driver.Outbound
		check func(t *testing.T, m whatsapptest.Sent)
	}{
		{"text with mentions", driver.Outbound{MessageID: "6f1c9a52-3b7e-4d0a-8e21-5c4b3a291001", To: to, Type: message.Text,
			Text: "@" + phoneB + " @" + phoneC + " your order shipped", Mentions: []string{phoneB, phoneC}},
			func(t *testing.T, m whatsapptest.Sent) {
				require.Equal(t, "text", m.Type)
				x := m.Message.GetExtendedTextMessage()
				require.Equal(t, "@"+phoneB+" @"+phoneC+" your order shipped", x.GetText())
				require.Equal(t, []string{pnJID(phoneB).String(), pnJID(phoneC).String()}, x.GetContextInfo().GetMentionedJID())
			}},
		{"second text", driver.Outbound{MessageID: "6f1c9a52-3b7e-4d0a-8e21-5c4b3a291002", To: to, Type: message.Text,
			Text: "tracking soon"},
			func(t *testing.T, m whatsapptest.Sent) {
				require.Equal(t, "tracking soon", m.Message.GetConversation())
			}},
		{"image", driver.Outbound{MessageID: "6f1c9a52-3b7e-4d0a-8e21-5c4b3a291003", To: to, Type: message.Image,
			Caption: "the parcel", Media: photo, ContentType: "image/jpeg"},
			func(t *testing.T, m whatsapptest.Sent) {
				require.Equal(t, "media", m.Type)
				require.Equal(t, "image", m.MediaType, "the skmsg names its media type")
				require.Equal(t, "the parcel", m.Message.GetImageMessage().GetCaption())
				require.Equal(t, "image/jpeg", m.Message.GetImageMessage().GetMimetype())
				require.Equal(t, photo, m.Media, "the upload decrypts to the photo")
			}},
	}
	for i, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			require.NoError(t, d.Send(context.Background(), inst, step.out))
			sent := srv.Sent(jid)
			require.Len(t, sent, i+1)
			m := sent[i]
			require.NoError(t, m.Err, "every member's phone reads it")
			require.Equal(t, MessageID(step.out.MessageID), m.ID)
			require.Equal(t, group, m.To)
			require.ElementsMatch(t, []types.JID{pnJID(phoneA), pnJID(phoneB), pnJID(phoneC)}, m.SenderKeyTo,
				"the sender key goes to each member's phone, the sender's own included")
			require.NotZero(t, m.SenderKeyID)
			require.Equal(t, sent[0].SenderKeyID, m.SenderKeyID, "one sender key for every message to the group")
			step.check(t, m)
		})
	}
}

// TestGroupSendRefusedOnFakeServer: WhatsApp's answers to a group the
// instance cannot send to fail the message for good, not for a retry.
func TestGroupSendRefusedOnFakeServer(t *testing.T) {
	srv := whatsapptest.NewServer(t)
	d, jid := onFakeServer(t, srv, phoneA)
	others, err := srv.CreateGroup(groupID, "Not ours", phoneB, phoneC)
	require.NoError(t, err)
	for _, tt := range []struct {
		name, to, reason string
	}{
		{"unknown group (404)", "120363000000000000@g.us", GroupNotFound},
		{"not a member (403)", others.String(), NotInGroup},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out := text(tt.to)
			err := d.Send(context.Background(), inst, out)
			var se *driver.SendError
			require.ErrorAs(t, err, &se)
			require.Equal(t, tt.reason, se.Reason)
			require.Empty(t, srv.Sent(jid), "nothing reached WhatsApp")
		})
	}
	require.NoError(t, d.Send(context.Background(), inst, text(phoneB)), "the instance keeps sending")
}
