// Package commandtest is the conformance suite of the command result
// store port (command.ResultStore): the DynamoDB store runs RunResults,
// as does the command package's in-memory fake.
//
// # The contract
//
//   - GetCommandResult of an id never written answers ok false, no error.
//   - PutCommandResult stores the bytes as given (a result is a JSON
//     document of a few hundred bytes to a few KB); Get returns them
//     unchanged, from any client of the same store.
//   - A second Put of the same id replaces the first (a redelivered forget
//     may store its result again).
//   - Results of different ids are independent.
//   - expires is when the result may be removed: a TTL for cleanup. Nobody
//     reads a result that old, so the suite does not check removal, and a
//     result read before it expires must be there.
package commandtest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/command"
)

// RunResults runs every case; newStore returns a fresh, empty store for
// each.
func RunResults(t *testing.T, newStore func(t *testing.T) command.ResultStore) {
	cases := []struct {
		name string
		run  func(t *testing.T, ctx context.Context, s command.ResultStore)
	}{
		{"Missing", missing},
		{"RoundTrip", roundTrip},
		{"Replace", replace},
		{"Independent", independent},
		{"Large", large},
		{"Concurrent", concurrent},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			c.run(t, ctx, newStore(t))
		})
	}
}

// expires is far enough ahead that no store may have removed a result.
func expires() time.Time { return time.Now().Add(10 * time.Minute) }

func put(t *testing.T, ctx context.Context, s command.ResultStore, id, body string) {
	t.Helper()
	require.NoError(t, s.PutCommandResult(ctx, id, []byte(body), expires()))
}

func get(t *testing.T, ctx context.Context, s command.ResultStore, id string) (string, bool) {
	t.Helper()
	b, ok, err := s.GetCommandResult(ctx, id)
	require.NoError(t, err)
	if !ok {
		require.Empty(t, b, "no bytes without a result")
	}
	return string(b), ok
}

func missing(t *testing.T, ctx context.Context, s command.ResultStore) {
	_, ok := get(t, ctx, s, "3b2e1f4a-0000-4000-8000-000000000000")
	require.False(t, ok)
}

func roundTrip(t *testing.T, ctx context.Context, s command.ResultStore) {
	const body = `{"value":"2@AbC/+=,x","device":{"name":"iPhone 12","platform":"WHATSAPP"}}`
	put(t, ctx, s, "c1", body)
	got, ok := get(t, ctx, s, "c1")
	require.True(t, ok)
	require.Equal(t, body, got)
}

func replace(t *testing.T, ctx context.Context, s command.ResultStore) {
	put(t, ctx, s, "c1", `{"value":"first"}`)
	put(t, ctx, s, "c1", `{}`)
	got, ok := get(t, ctx, s, "c1")
	require.True(t, ok)
	require.Equal(t, `{}`, got, "the second put replaces the first")
}

func independent(t *testing.T, ctx context.Context, s command.ResultStore) {
	put(t, ctx, s, "a", `{"value":"a"}`)
	put(t, ctx, s, "b", `{"value":"b"}`)
	for _, id := range []string{"a", "b"} {
		got, ok := get(t, ctx, s, id)
		require.True(t, ok)
		require.Equal(t, fmt.Sprintf(`{"value":%q}`, id), got)
	}
	_, ok := get(t, ctx, s, "c")
	require.False(t, ok)
}

func large(t *testing.T, ctx context.Context, s command.ResultStore) {
	body := `{"value":"` + strings.Repeat("ABCD-1234 ", 800) + `"}` // 8 KB
	put(t, ctx, s, "big", body)
	got, ok := get(t, ctx, s, "big")
	require.True(t, ok)
	require.Equal(t, body, got)
}

func concurrent(t *testing.T, ctx context.Context, s command.ResultStore) {
	const n = 16
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			errs[i] = s.PutCommandResult(ctx, fmt.Sprint("c", i), fmt.Appendf(nil, `{"value":"%d"}`, i), expires())
		})
	}
	wg.Wait()
	for i := range n {
		require.NoError(t, errs[i])
		got, ok := get(t, ctx, s, fmt.Sprint("c", i))
		require.True(t, ok)
		require.Equal(t, fmt.Sprintf(`{"value":"%d"}`, i), got)
	}
}
