package drivertest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/message"
)

// everyKind: each kind of message.Kinds() goes out and reaches the phone
// intact. A kind added without a sample in outbounds fails here, for every
// driver; one a driver cannot build or record fails on its send.
func everyKind(t *testing.T, s *setup) {
	ctx := context.Background()
	samples := map[message.Type]driver.Outbound{}
	for _, o := range outbounds(phoneB) {
		samples[o.Type] = o
	}
	s.link(t, instA, phoneA)
	for _, k := range message.Kinds() {
		o, ok := samples[k.Type]
		if !ok {
			t.Errorf("kind %q has no sample in drivertest's outbounds: add one with every field it carries", k.Type)
			continue
		}
		require.NoError(t, s.d.Send(ctx, instA, o), "send %s", k.Type)
		sent := s.p.Sent(instA)
		require.NotEmpty(t, sent, "%s reached the phone", k.Type)
		require.Equal(t, onWire([]driver.Outbound{o}), onWire(sent[len(sent)-1:]), "%s as the phone received it", k.Type)
	}
}
