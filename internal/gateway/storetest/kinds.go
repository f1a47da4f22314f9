package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/lane"
	"github.com/wagateway/wagateway/internal/message"
)

// contentOfEveryKind: the content of the kinds beyond text and media (a
// place, contact cards, a poll) reads back exactly as it was stored,
// coordinates of 0 and characters a store might mangle included.
func contentOfEveryKind(t *testing.T, s gateway.Store) {
	ctx := context.Background()
	mustTenant(t, s, "acme")
	mustInstance(t, s, "acme__c__l")
	for _, c := range []struct {
		typ     message.Type
		content message.Content
	}{
		{message.Location, message.Content{Location: &message.LocationContent{Latitude: -34.603722, Longitude: -58.381592,
			Name: "Obelisco", Address: "Av. 9 de Julio s/n, \"CABA\""}}},
		{message.Location, message.Content{Location: &message.LocationContent{}}},
		{message.Contact, message.Content{Contacts: []message.ContactCard{
			{FullName: "Juan Pérez", PhoneNumber: "5491112345678"},
			{FullName: "Ana; Gómez\n", PhoneNumber: "5491187654321", Organization: "Acme, S.A.", Email: "ana@acme.example"}}}},
		{message.Poll, message.Content{Poll: &message.PollContent{Question: "¿Almorzamos? {sí|no}",
			Options: []string{"Pizza 🍕", "Sushi"}, SelectableCount: 2}}},
	} {
		m := newMessage("acme", "acme__c__l", lane.Normal)
		m.Type, m.Content = c.typ, c.content
		require.NoError(t, s.CreateMessage(ctx, m, nil))
		got, err := s.GetMessage(ctx, m.ID)
		require.NoError(t, err)
		m.CreatedAt = m.CreatedAt.Truncate(time.Millisecond)
		require.Equal(t, m, got, "%s", c.typ)
	}
}
