package httpapi

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/fault"
)

type sample struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

func request(body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	r.Body = http.MaxBytesReader(httptest.NewRecorder(), r.Body, maxBody)
	return r
}

func TestDecode(t *testing.T) {
	cases := []struct {
		body string
		path []any // nil: no error expected
		ok   bool
	}{
		{`{"name":"a","count":1}`, nil, true},
		{`  {"name":"a"}  `, nil, true},
		{`{"nme":"a"}`, []any{"nme"}, false},
		{`{"count":"x"}`, []any{"count"}, false},
		{`{"name":1}`, []any{"name"}, false},
		{`{"name":"a"} {"name":"b"}`, []any{}, false},
		{`{"name":"a"`, []any{}, false},
		{`[1]`, []any{}, false},
		{``, []any{}, false},
		{`null`, []any{}, false},
		{`{"name":"a",}`, []any{}, false},
	}
	for _, c := range cases {
		t.Run(c.body, func(t *testing.T) {
			var dst sample
			err := decode(request(c.body), &dst)
			if c.ok {
				require.NoError(t, err)
				return
			}
			var v *fault.ValidationError
			require.True(t, errors.As(err, &v), "%v", err)
			require.Equal(t, c.path, v.Issues[0].Path)
		})
	}
	var dst sample
	err := decode(request(`{"name":"`+strings.Repeat("a", maxBody)+`"}`), &dst)
	require.ErrorIs(t, err, fault.ErrTooLarge)
}

func FuzzDecode(f *testing.F) {
	f.Add(`{"name":"a","count":1}`)
	f.Add(`{"count":1e400}`)
	f.Add(`{"name":"\ud800"}`)
	f.Fuzz(func(t *testing.T, body string) {
		var dst sample
		err := decode(request(body), &dst)
		if err == nil {
			return
		}
		var v *fault.ValidationError
		if !errors.As(err, &v) && !errors.Is(err, fault.ErrTooLarge) {
			t.Fatalf("decode error is neither a validation error nor too large: %v", err)
		}
	})
}

func TestStatusOf(t *testing.T) {
	cases := []struct {
		err  error
		want int
	}{
		{fault.Invalid("x"), 400},
		{fault.New(fault.ErrUnauthorized, "x"), 401},
		{fault.New(fault.ErrForbidden, "x"), 403},
		{fault.New(fault.ErrNotFound, "x"), 404},
		{fault.New(fault.ErrConflict, "x"), 409},
		{errTooLarge, 413},
		{&rateLimitedError{retryAfter: 1}, 429},
		{fault.New(fault.ErrSession, "x"), 502},
		{errors.New("disk on fire"), 500},
		{errors.Join(errors.New("wrapped"), fault.New(fault.ErrNotFound, "x")), 404},
	}
	for _, c := range cases {
		require.Equal(t, c.want, statusOf(c.err), "%v", c.err)
	}
}
