package command_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/command"
	"github.com/wagateway/wagateway/internal/fault"
)

// TestClientMarkRead: the client enqueues a read command carrying the
// ids as given, waits for the host's answer like Logout, and returns the
// host's validation error with its index path intact.
func TestClientMarkRead(t *testing.T) {
	issue := fault.Invalid("Not a message this instance received, or past its retention", "messageIds", 1)
	for _, tc := range []struct {
		name   string
		result command.Result
		check  func(t *testing.T, err error)
	}{
		{"sent", command.Result{}, func(t *testing.T, err error) { require.NoError(t, err) }},
		{"unknown id", command.Result{Err: issue}, func(t *testing.T, err error) {
			var v *fault.ValidationError
			require.ErrorAs(t, err, &v)
			require.Equal(t, issue.Issues, v.Issues)
		}},
		{"not open", command.Result{Err: fault.New(fault.ErrConflict, "Instance is not open")}, func(t *testing.T, err error) {
			require.ErrorIs(t, err, fault.ErrConflict)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newClientRig(t, nil)
			r.answer(t, "cmd-1", tc.result)
			r.res.ready = func(gets int) bool { return gets >= 2 }
			var err error
			r.run(t, func() { err = r.c.MarkRead(t.Context(), "inst", []string{"3EB0A1", "3EB0A2"}) })
			tc.check(t, err)
			require.Equal(t, 2, r.res.getCount(), "waited for the answer")
			require.Equal(t, command.Command{ID: "cmd-1", Kind: command.KindRead, Instance: "inst",
				MessageIDs: []string{"3EB0A1", "3EB0A2"}, IssuedAt: start}, r.sent(t))
		})
	}
}

// TestClientMarkReadChecks: a list the command cannot carry is refused
// before anything is enqueued (the API validates it first; this is the
// last line).
func TestClientMarkReadChecks(t *testing.T) {
	r := newClientRig(t, nil)
	err := r.c.MarkRead(t.Context(), "inst", nil)
	require.Error(t, err)
	require.Zero(t, r.q.left())
}
