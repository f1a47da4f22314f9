package host_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/message"
)

// TestKindsWithoutMediaReachTheDriver: a place, contact cards and a poll
// go to the driver as they were queued: nothing fetched, and no spintax
// resolved (it applies to text and captions only).
func TestKindsWithoutMediaReachTheDriver(t *testing.T) {
	r := newLinkedRig(t)
	ctx := context.Background()
	place := &message.LocationContent{Latitude: -34.603722, Longitude: -58.381592, Name: "{Obelisco|Plaza}", Address: "Av. 9 de Julio"}
	cards := []message.ContactCard{{FullName: "{Juan|John}", PhoneNumber: "5491112345678", Organization: "Acme", Email: "j@acme.example"}}
	poll := &message.PollContent{Question: "{Lunch|Dinner}?", Options: []string{"{a|b}", "c"}, SelectableCount: 2}
	want := map[message.Type]message.Content{
		message.Location: {Location: place},
		message.Contact:  {Contacts: cards},
		message.Poll:     {Poll: poll},
	}
	for _, typ := range []message.Type{message.Location, message.Contact, message.Poll} {
		_, _, err := r.svc.Send(ctx, "acme", gateway.SendInput{InstanceName: mainInst, To: "5491100000001", Lane: "urgent",
			Type: typ, Content: want[typ]}, "")
		require.NoError(t, err, "%s", typ)
	}
	waitFor(t, "three sends", func() bool { return len(r.drv.sentList()) == 3 })
	for _, out := range r.drv.sentList() {
		c, ok := want[out.Type]
		require.True(t, ok, "%s", out.Type)
		require.Equal(t, c, message.Content{Location: out.Location, Contacts: out.Contacts, Poll: out.Poll}, "%s", out.Type)
		require.Empty(t, out.Text)
		require.Empty(t, out.MediaURL)
		require.Nil(t, out.Media, "%s: nothing fetched", out.Type)
	}
}
