package host_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/events"
	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/mediastore"
)

// receivedEvents returns the data of inst's message.received events, by
// WhatsApp message id.
func receivedEvents(t *testing.T, r *rig, inst string) map[string]events.Received {
	t.Helper()
	list, err := r.store.ListDeliveries(context.Background(), inst, "", 100)
	require.NoError(t, err)
	out := map[string]events.Received{}
	for _, d := range list {
		if d.Name != string(events.MessageReceived) {
			continue
		}
		var env struct{ Data events.Received }
		require.NoError(t, json.Unmarshal(d.Body, &env))
		out[env.Data.MessageID] = env.Data
	}
	return out
}

// failingReader gives n bytes, then fails: a download cut off.
type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n == 0 {
		return 0, errors.New("connection reset")
	}
	k := min(len(p), f.n)
	f.n -= k
	return k, nil
}

func opener(rc io.Reader, err error) func(context.Context) (io.ReadCloser, error) {
	return func(context.Context) (io.ReadCloser, error) {
		if err != nil {
			return nil, err
		}
		return io.NopCloser(rc), nil
	}
}

// TestInboundMedia: media is downloaded into the media store before the
// message is acknowledged, and the event says where the API serves it;
// a download WhatsApp cannot serve, or a file over its type's limit,
// still makes an event, with media.error; a store that fails is an error
// (WhatsApp delivers the message again).
func TestInboundMedia(t *testing.T) {
	r, _, _ := newRig(t, filepath.Join(t.TempDir(), "g.db"))
	linkInstances(t, r, mainInst)
	photo := bytes.Repeat([]byte("jpeg"), 5000)
	sum := sha256.Sum256(photo)
	base := driver.Inbound{From: "5491112345678", PushName: "Juan", MessageType: "imageMessage", Caption: "broken part",
		Timestamp: time.Unix(1773596790, 0)}
	for _, tc := range []struct {
		name    string
		media   driver.InboundMedia
		wantErr string // media.error; "" for a stored file
	}{
		{"stored", driver.InboundMedia{Mimetype: "image/jpeg", Size: int64(len(photo)), Open: opener(bytes.NewReader(photo), nil)}, ""},
		{"expired at WhatsApp", driver.InboundMedia{Mimetype: "image/jpeg", Open: opener(nil, errors.New("HTTP 404"))},
			"WhatsApp no longer has this media, or it could not be downloaded and verified"},
		{"cut off", driver.InboundMedia{Mimetype: "image/jpeg", Open: opener(&failingReader{n: 100}, nil)},
			"WhatsApp no longer has this media, or it could not be downloaded and verified"},
		{"declared too large", driver.InboundMedia{Mimetype: "image/jpeg", Size: 6 << 20,
			Open: func(context.Context) (io.ReadCloser, error) { panic("not downloaded") }}, "media larger than WhatsApp allows for its type"},
		{"too large after all", driver.InboundMedia{Mimetype: "image/jpeg", Size: 10,
			Open: opener(bytes.NewReader(make([]byte, 5<<20+1)), nil)}, "media larger than WhatsApp allows for its type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := base
			idSum := sha256.Sum256([]byte(tc.name))
			in.MessageID = "3EB0" + hex.EncodeToString(idSum[:8])
			m := tc.media
			in.Media = &m
			require.NoError(t, r.host.Received(mainInst, in))
			got := receivedEvents(t, r, mainInst)[in.MessageID]
			require.NotNil(t, got.Media)
			require.Equal(t, "image/jpeg", got.Media.Mimetype)
			require.Equal(t, "broken part", *got.Caption)
			_, _, err := r.media.Open(context.Background(), mediastore.Key{Instance: mainInst, MessageID: in.MessageID})
			if tc.wantErr != "" {
				require.Equal(t, tc.wantErr, got.Media.Error)
				require.Nil(t, got.Media.URL)
				require.ErrorIs(t, err, mediastore.ErrNotFound, "nothing kept")
				return
			}
			require.Empty(t, got.Media.Error)
			require.Equal(t, "http://gw.test/instance/"+mainInst+"/media/"+in.MessageID, *got.Media.URL)
			require.Equal(t, int64(len(photo)), *got.Media.Size)
			require.Equal(t, hex.EncodeToString(sum[:]), *got.Media.SHA256)
			require.NoError(t, err)
		})
	}

	// The store fails: an error (the driver leaves the message
	// unacknowledged), and no event.
	in := base
	in.MessageID = "3EB0STOREFAILS00"
	in.Media = &driver.InboundMedia{Mimetype: "image/jpeg", Open: opener(bytes.NewReader(photo), nil)}
	r.mediaDown.Store(true)
	require.Error(t, r.host.Received(mainInst, in))
	require.NotContains(t, receivedEvents(t, r, mainInst), in.MessageID)
	r.mediaDown.Store(false)
	in.Media = &driver.InboundMedia{Mimetype: "image/jpeg", Open: opener(bytes.NewReader(photo), nil)}
	require.NoError(t, r.host.Received(mainInst, in), "delivered again")
	require.NotNil(t, receivedEvents(t, r, mainInst)[in.MessageID].Media.URL)
}
