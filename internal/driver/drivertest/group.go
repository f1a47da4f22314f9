package drivertest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/message"
)

// group is a group id the sending instance is in.
const group = "120363025246125486@g.us"

// sendToGroup: a `to` that is a group id reaches the group, named as
// given, whatever the kind; the sample mentions members as a group
// message usually does.
func sendToGroup(t *testing.T, s *setup) {
	ctx := context.Background()
	s.link(t, instA, phoneA)
	outs := []driver.Outbound{
		{MessageID: "0b6c2d1e-8f2a-4c1b-9a57-6f0c1d2e3f21", WAMessageID: "3EB0A1B2C3D4E5F6A7B8E1", To: group,
			Type: message.Text, Text: "@5491187654321 ¿venís?", Lane: "normal", Mentions: []string{phoneB}},
		{MessageID: "0b6c2d1e-8f2a-4c1b-9a57-6f0c1d2e3f22", WAMessageID: "3EB0A1B2C3D4E5F6A7B8E2",
			To: "5491112345678-1612345678@g.us", Type: message.Location, Lane: "normal",
			Location: &message.LocationContent{Latitude: -34.6, Longitude: -58.38}},
	}
	for _, o := range outs {
		require.NoError(t, s.d.Send(ctx, instA, o), "send %s to %s", o.Type, o.To)
	}
	require.Equal(t, onWire(outs), onWire(s.p.Sent(instA)), "the group messages as the phone side received them")
}
