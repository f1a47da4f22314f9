package whatsapptest

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"google.golang.org/protobuf/proto"
)

// TestAttachMedia: what AttachMedia stores opens with the keys it put in
// the message, as the server's own reading of client uploads does (a
// whatsmeow download is tested with the driver); spoiled media does not.
func TestAttachMedia(t *testing.T) {
	s := NewServer(t)
	data := bytes.Repeat([]byte("media bytes "), 3000)
	for name, m := range map[string]*waE2E.Message{
		"image":                 {ImageMessage: &waE2E.ImageMessage{}},
		"video":                 {VideoMessage: &waE2E.VideoMessage{}},
		"audio":                 {AudioMessage: &waE2E.AudioMessage{}},
		"document with caption": {DocumentWithCaptionMessage: &waE2E.FutureProofMessage{Message: &waE2E.Message{DocumentMessage: &waE2E.DocumentMessage{}}}},
	} {
		t.Run(name, func(t *testing.T) {
			path, err := s.AttachMedia(m, data)
			require.NoError(t, err)
			got, err := s.attachment(m)
			require.NoError(t, err)
			require.Equal(t, data, got)
			require.Contains(t, path, "?", "whatsmeow appends its query with &")

			_, err = s.CorruptMedia(path)
			require.NoError(t, err)
			_, err = s.attachment(m)
			require.ErrorContains(t, err, "MAC mismatch")
			s.ExpireMedia(path)
			_, err = s.attachment(m)
			require.ErrorContains(t, err, "not uploaded here")
		})
	}
	_, err := s.AttachMedia(&waE2E.Message{Conversation: proto.String("no media")}, data)
	require.Error(t, err)
}
