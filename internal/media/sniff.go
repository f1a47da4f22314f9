package media

import (
	"bytes"
	"encoding/binary"
	"mime"
	"net/http"
	"path"
	"strings"
)

// sniffLen is how much of the body the sniffers look at, the same window
// as http.DetectContentType.
const sniffLen = 512

// sniff names the type of data from its bytes. It runs the formats
// WhatsApp cares about that http.DetectContentType gets wrong or misses
// first (Ogg codecs, the ISO media family, AMR, bare MPEG audio), then the
// standard sniffer. The file name is consulted only to tell apart Office
// formats that share a container (zip or OLE), never to overrule the bytes.
func sniff(data []byte, name string) string {
	head := data[:min(len(data), sniffLen)]
	if ct := sniffExtra(head); ct != "" {
		return ct
	}
	ct := http.DetectContentType(head)
	if o, ok := officeTypes[strings.ToLower(path.Ext(name))]; ok && bytes.HasPrefix(head, o.magic) {
		return o.contentType
	}
	return ct
}

func sniffExtra(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("OggS\x00")):
		return sniffOgg(head)
	case len(head) >= 12 && string(head[4:8]) == "ftyp":
		return sniffISO(head)
	case bytes.HasPrefix(head, []byte("#!AMR\n")):
		return "audio/amr"
	case len(head) >= 3 && head[0] == 0xFF && head[1]&0xF6 == 0xF0:
		return "audio/aac" // ADTS: sync word, layer 0
	case len(head) >= 3 && head[0] == 0xFF && head[1]&0xE0 == 0xE0 && head[1]&0x06 != 0 &&
		head[1]&0x18 != 0x08 && head[2]&0xF0 != 0xF0 && head[2]&0x0C != 0x0C:
		return "audio/mpeg" // MPEG audio frame without an ID3 tag
	}
	return ""
}

// sniffOgg looks at the codec header in the first page, since voice notes
// must be declared as Opus for WhatsApp to play them as such. An unknown
// codec falls through to http.DetectContentType's application/ogg.
func sniffOgg(head []byte) string {
	if len(head) < 27 {
		return ""
	}
	start := 27 + int(head[26]) // header, then one lacing byte per segment
	if start > len(head) {
		return ""
	}
	payload := head[start:]
	switch {
	case bytes.HasPrefix(payload, []byte("OpusHead")):
		return "audio/ogg; codecs=opus"
	case bytes.HasPrefix(payload, []byte("\x01vorbis")):
		return "audio/ogg"
	case bytes.HasPrefix(payload, []byte("\x80theora")):
		return "video/ogg"
	}
	return ""
}

// sniffISO reads the brands of an ISO base media "ftyp" box. The major
// brand decides when it is specific (m4a audio, 3GPP, QuickTime, AVIF,
// HEIC); otherwise any MP4-family brand makes it video/mp4.
func sniffISO(head []byte) string {
	switch major := string(head[8:12]); {
	case major == "M4A " || major == "M4B " || major == "M4P ":
		return "audio/mp4"
	case strings.HasPrefix(major, "3gp"):
		return "video/3gpp"
	case strings.HasPrefix(major, "3g2"):
		return "video/3gpp2"
	case major == "qt  ":
		return "video/quicktime"
	case major == "avif" || major == "avis":
		return "image/avif"
	case major == "heic" || major == "heix":
		return "image/heic"
	}
	end := min(int(binary.BigEndian.Uint32(head[:4])), len(head))
	brands := [][]byte{head[8:12]}
	for i := 16; i+4 <= end; i += 4 {
		brands = append(brands, head[i:i+4])
	}
	for _, b := range brands {
		switch string(b) {
		case "isom", "iso2", "iso4", "iso5", "iso6", "mp41", "mp42", "avc1", "M4V ", "dash", "MSNV":
			return "video/mp4"
		}
	}
	return ""
}

// officeTypes maps extensions to Office types when the container magic
// matches, so a .docx is offered to the recipient's phone as a Word file
// rather than as a zip.
var officeTypes = map[string]struct {
	magic       []byte
	contentType string
}{
	".docx": {zipMagic, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
	".xlsx": {zipMagic, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
	".pptx": {zipMagic, "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
	".doc":  {oleMagic, "application/msword"},
	".xls":  {oleMagic, "application/vnd.ms-excel"},
	".ppt":  {oleMagic, "application/vnd.ms-powerpoint"},
}

var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")
)

// baseType drops parameters such as charset, for checks and messages.
func baseType(ct string) string {
	if base, _, err := mime.ParseMediaType(ct); err == nil {
		return base
	}
	return ct
}
