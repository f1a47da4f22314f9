package command

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/fault"
)

// Every kind of the table survives the wire under its own name, and no
// name or sentinel appears twice (a duplicate would decode to the wrong
// kind, or never be written).
func TestFaultKindsRoundTrip(t *testing.T) {
	names := map[string]bool{}
	kinds := map[error]bool{}
	for _, k := range faultKinds {
		t.Run(k.name, func(t *testing.T) {
			require.False(t, names[k.name], "name listed twice")
			require.False(t, kinds[k.kind], "sentinel listed twice")
			require.NotContains(t, []string{kindValidation, kindInternal}, k.name)
			names[k.name], kinds[k.kind] = true, true

			b, err := EncodeResult(Result{Err: fault.New(k.kind, "Public text")})
			require.NoError(t, err)
			var w wireResult
			require.NoError(t, json.Unmarshal(b, &w))
			require.NotNil(t, w.Error)
			require.Equal(t, k.name, w.Error.Kind)

			got, err := DecodeResult(b)
			require.NoError(t, err)
			require.ErrorIs(t, got.Err, k.kind)
			var fe *fault.Error
			require.ErrorAs(t, got.Err, &fe)
			require.Same(t, k.kind, fe.Kind)
			require.Equal(t, "Public text", fe.Msg)
		})
	}
}

// The wire names are stored and queued: renaming one breaks results
// written by an older host.
func TestFaultKindWireNames(t *testing.T) {
	want := map[error]string{
		fault.ErrUnauthorized: "unauthorized",
		fault.ErrForbidden:    "forbidden",
		fault.ErrNotFound:     "not-found",
		fault.ErrConflict:     "conflict",
		fault.ErrTooLarge:     "too-large",
		fault.ErrRateLimited:  "rate-limited",
		fault.ErrSession:      "session",
	}
	require.Len(t, faultKinds, len(want))
	for kind, name := range want {
		require.Equal(t, name, faultName(kind))
		require.Same(t, kind, faultKind(name))
	}
}
