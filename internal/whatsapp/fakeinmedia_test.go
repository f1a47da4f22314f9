package whatsapp

import (
	"context"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"google.golang.org/protobuf/proto"
)

// TestInboundMediaFailuresOnFakeServer: media that does not check out or
// is gone makes Open fail with whatsmeow's reason, and leaves no file.
func TestInboundMediaFailuresOnFakeServer(t *testing.T) {
	s := newInboundSetup(t)
	tests := []struct {
		name  string
		spoil func(t *testing.T, x *waE2E.ImageMessage, path string)
		want  error
	}{
		{"tampered ciphertext, hash updated to match: the HMAC catches it", func(t *testing.T, x *waE2E.ImageMessage, path string) {
			sum, err := s.srv.CorruptMedia(path)
			require.NoError(t, err)
			x.FileEncSHA256 = sum
		}, whatsmeow.ErrInvalidMediaHMAC},
		{"tampered ciphertext", func(t *testing.T, _ *waE2E.ImageMessage, path string) {
			_, err := s.srv.CorruptMedia(path)
			require.NoError(t, err)
		}, whatsmeow.ErrInvalidMediaEncSHA256},
		{"plaintext hash differs", func(_ *testing.T, x *waE2E.ImageMessage, _ string) {
			x.FileSHA256 = make([]byte, 32)
		}, whatsmeow.ErrInvalidMediaSHA256},
		{"expired (404)", func(_ *testing.T, _ *waE2E.ImageMessage, path string) {
			s.srv.ExpireMedia(path)
		}, whatsmeow.ErrMediaDownloadFailedWith404},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &waE2E.Message{ImageMessage: &waE2E.ImageMessage{Mimetype: proto.String("image/jpeg")}}
			path, err := s.srv.AttachMedia(m, []byte("\xff\xd8\xff\xe0 a photo that will not arrive"))
			require.NoError(t, err)
			tt.spoil(t, m.GetImageMessage(), path)
			in := s.deliver(t, "3EB0BAD0"+string(rune('A'+i)), m)
			require.Equal(t, "imageMessage", in.MessageType, "the message itself is delivered")

			r, err := in.Media.Open(context.Background())
			require.ErrorIs(t, err, tt.want)
			require.Nil(t, r)
			entries, err := os.ReadDir(s.tempDir)
			require.NoError(t, err)
			require.Empty(t, entries, "a failed download leaves no file")
		})
	}
}
