package whatsapp

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"google.golang.org/protobuf/proto"

	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/whatsapp/whatsapptest"
)

// TestCheckContactsOnFakeServer: one answer per number, in the order
// asked, repeats included.
func TestCheckContactsOnFakeServer(t *testing.T) {
	srv := whatsapptest.NewServer(t)
	d, _, _ := withGroupEvents(t, srv, phoneA)
	srv.NotOnWhatsApp(phoneC)
	got, err := d.CheckContacts(context.Background(), inst, []string{phoneC, phoneB, phoneD, phoneC})
	require.NoError(t, err)
	require.Equal(t, []bool{false, true, true, false}, got)
}

// TestContactOnFakeServer: what WhatsApp shows of a number: a business's
// verified name, else the push name the device saw; about and picture
// unless hidden or unset; nothing for a number not on WhatsApp.
func TestContactOnFakeServer(t *testing.T) {
	srv := whatsapptest.NewServer(t)
	d, jid, _ := withGroupEvents(t, srv, phoneA)
	const url = "https://pps.whatsapp.net/v/t61.24694-24/b.jpg"
	srv.SetProfile(phoneB, whatsapptest.Profile{About: "Abierto de 9 a 18", PictureURL: url, BusinessName: "Ferretería Sur"})
	srv.SetProfile(phoneC, whatsapptest.Profile{About: "secret", PictureURL: url, Hidden: true})
	srv.NotOnWhatsApp(phoneE)
	ctx := context.Background()
	require.NoError(t, srv.Deliver(ctx, jid, whatsapptest.Inbound{From: phoneD, PushName: "Juan Pérez",
		Message: &waE2E.Message{Conversation: proto.String("hola")}}), "the device learns D's push name")

	for _, want := range []driver.Contact{
		{Phone: phoneB, OnWhatsApp: true, Name: "Ferretería Sur", About: "Abierto de 9 a 18", PictureURL: url},
		{Phone: phoneC, OnWhatsApp: true},
		{Phone: phoneD, OnWhatsApp: true, Name: "Juan Pérez"},
		{Phone: phoneE},
	} {
		got, err := d.Contact(ctx, inst, want.Phone)
		require.NoError(t, err)
		require.Equal(t, want, got)
	}
}

// TestBlockOnFakeServer: block and unblock reach the account's blocklist;
// a number without an account is refused.
func TestBlockOnFakeServer(t *testing.T) {
	srv := whatsapptest.NewServer(t)
	d, _, _ := withGroupEvents(t, srv, phoneA)
	srv.NotOnWhatsApp(phoneE)
	ctx := context.Background()

	require.NoError(t, d.Block(ctx, inst, phoneB, true))
	require.NoError(t, d.Block(ctx, inst, phoneC, true))
	require.Equal(t, []string{phoneB, phoneC}, srv.Blocked(phoneA))
	require.NoError(t, d.Block(ctx, inst, phoneB, false))
	require.Equal(t, []string{phoneC}, srv.Blocked(phoneA))

	var refused *driver.RefusedError
	require.ErrorAs(t, d.Block(ctx, inst, phoneE, true), &refused)
	require.Equal(t, NotOnWhatsApp, refused.Reason)
}
