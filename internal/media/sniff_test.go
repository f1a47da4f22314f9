package media

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/message"
)

func ftyp(major string, compat ...string) []byte {
	b := []byte{0, 0, 0, byte(16 + 4*len(compat))}
	b = append(b, "ftyp"+major+"\x00\x00\x00\x00"...)
	for _, c := range compat {
		b = append(b, c...)
	}
	return b
}

func oggPage(payload string) []byte {
	return append([]byte("OggS\x00\x02"+string(make([]byte, 20))+"\x01"+string(rune(len(payload)))), payload...)
}

func TestSniff(t *testing.T) {
	cases := []struct {
		name, file string
		data       []byte
		want       string
		accepted   message.Type
	}{
		{"webp", "", []byte("RIFF\x24\x00\x00\x00WEBPVP8 "), "image/webp", message.Image},
		{"gif", "", []byte("GIF89a\x01\x00\x01\x00"), "image/gif", message.Image},
		{"avif", "", ftyp("avif", "mif1"), "image/avif", message.Image},
		{"mp4 by compatible brand", "", ftyp("xxxx", "mp42"), "video/mp4", message.Video},
		{"3gp", "", ftyp("3gp5", "isom"), "video/3gpp", message.Video},
		{"quicktime", "", ftyp("qt  "), "video/quicktime", message.Video},
		{"m4a is audio, not video", "", ftyp("M4A ", "mp42", "isom"), "audio/mp4", message.Audio},
		{"ogg vorbis", "", oggPage("\x01vorbis\x00\x00\x00\x00"), "audio/ogg", message.Audio},
		{"ogg theora", "", oggPage("\x80theora\x03\x02"), "video/ogg", message.Video},
		{"ogg other codec", "", oggPage("\x7fFLAC\x01\x00"), "application/ogg", message.Audio},
		{"truncated ogg", "", []byte("OggS\x00\x02"), "application/ogg", message.Audio},
		{"amr", "", []byte("#!AMR\n\x3c\x00"), "audio/amr", message.Audio},
		{"aac adts", "", []byte{0xFF, 0xF1, 0x50, 0x80, 0x02, 0x1F, 0xFC}, "audio/aac", message.Audio},
		{"mp3 frame", "", []byte{0xFF, 0xFB, 0x90, 0x64, 0x00}, "audio/mpeg", message.Audio},
		{"mp3 id3", "", []byte("ID3\x04\x00\x00\x00\x00\x00\x00"), "audio/mpeg", message.Audio},
		{"docx", "Plan.DOCX", []byte("PK\x03\x04\x14\x00\x06\x00"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document", message.Document},
		{"plain zip", "a.zip", []byte("PK\x03\x04\x14\x00\x06\x00"), "application/zip", message.Document},
		{"xls", "a.xls", []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00"), "application/vnd.ms-excel", message.Document},
		{"name cannot overrule bytes", "a.docx", pdfBytes, "application/pdf", message.Document},
		{"jpeg is not mistaken for mp3", "", jpegBytes, "image/jpeg", message.Image},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := sniff(c.data, c.file)
			require.Equal(t, c.want, got)
			require.True(t, accepts(c.accepted, got))
			require.True(t, accepts(message.Document, got))
		})
	}
	require.False(t, accepts(message.Text, "text/plain"))
	require.False(t, accepts(message.Audio, "video/mp4"))
}

// accepts reports whether content of type ct may be sent as t, by the
// kind's rule that Fetch applies.
func accepts(t message.Type, ct string) bool {
	k, _ := message.KindOf(t)
	m, ok := k.Media()
	return ok && m.Accepts(baseType(ct))
}
