package driver_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/driver"
)

// groupTarget is an Events that takes group events and calls.
type groupTarget struct {
	driver.Events
	got    []any
	reject bool
}

func (g *groupTarget) GroupParticipants(_ string, p driver.GroupParticipants) error {
	g.got = append(g.got, p)
	return nil
}

func (g *groupTarget) GroupUpdated(_ string, u driver.GroupUpdate) error {
	g.got = append(g.got, u)
	return nil
}

func (g *groupTarget) Call(_ string, c driver.Call) (bool, error) {
	g.got = append(g.got, c)
	return g.reject, nil
}

// TestDeferredGroupEvents: group events and calls reach a target that
// takes them, with the target's decision on the call; a target that does
// not take them lets calls ring.
func TestDeferredGroupEvents(t *testing.T) {
	d := driver.NewDeferred()
	target := &groupTarget{reject: true}
	d.Bind(target)
	p := driver.GroupParticipants{Group: "120363025246125486@g.us", Action: driver.Add, Participants: []string{"5491112345678"}}
	u := driver.GroupUpdate{Group: "120363025246125486@g.us", Subject: "Ventas"}
	c := driver.Call{From: "5491112345678", CallID: "C1"}
	require.NoError(t, d.GroupParticipants("i", p))
	require.NoError(t, d.GroupUpdated("i", u))
	reject, err := d.Call("i", c)
	require.NoError(t, err)
	require.True(t, reject)
	require.Equal(t, []any{p, u, c}, target.got)

	plain := driver.NewDeferred()
	plain.Bind(struct{ driver.Events }{})
	reject, err = plain.Call("i", c)
	require.NoError(t, err)
	require.False(t, reject)
	require.NoError(t, plain.GroupParticipants("i", p))
}
