package whatsapptest

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow/proto/waE2E"
)

// TestHoldMedia: a held download gets half the blob and waits; Release
// lets it finish and later downloads through; a client that gives up is
// seen as Abandoned.
func TestHoldMedia(t *testing.T) {
	s := NewServer(t)
	data := bytes.Repeat([]byte("held media "), 5000)
	m := &waE2E.Message{ImageMessage: &waE2E.ImageMessage{}}
	path, err := s.AttachMedia(m, data)
	require.NoError(t, err)
	stored, _, _ := strings.Cut(path, "?")
	s.mu.Lock()
	blob := s.media[stored]
	s.mu.Unlock()
	require.NotEmpty(t, blob)
	get := func(ctx context.Context) (*http.Response, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://mmg.whatsapp.net"+path+"&hash=x", nil)
		require.NoError(t, err)
		return s.HTTPClient().Do(req)
	}

	t.Run("released", func(t *testing.T) {
		hold := s.HoldMedia(path)
		res, err := get(context.Background())
		require.NoError(t, err)
		defer res.Body.Close()
		<-hold.Started()
		first := make([]byte, len(blob)/2)
		_, err = io.ReadFull(res.Body, first)
		require.NoError(t, err)
		require.Equal(t, blob[:len(blob)/2], first)
		hold.Release()
		rest, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		require.Equal(t, blob, append(first, rest...))
		res2, err := get(context.Background())
		require.NoError(t, err)
		all, err := io.ReadAll(res2.Body)
		_ = res2.Body.Close()
		require.NoError(t, err)
		require.Equal(t, blob, all, "not held after Release")
	})

	t.Run("abandoned", func(t *testing.T) {
		hold := s.HoldMedia(path)
		defer hold.Release()
		ctx, cancel := context.WithCancel(context.Background())
		res, err := get(ctx)
		require.NoError(t, err)
		<-hold.Started()
		cancel()
		_ = res.Body.Close()
		select {
		case <-hold.Abandoned():
		case <-time.After(5 * time.Second):
			t.Fatal("the held download's client went away unnoticed")
		}
	})
}
