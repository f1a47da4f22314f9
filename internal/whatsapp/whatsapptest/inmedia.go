package whatsapptest

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/util/cbcutil"
	"go.mau.fi/whatsmeow/util/hkdfutil"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// Media a phone sends: WhatsApp's clients encrypt an attachment with a
// fresh media key, upload the ciphertext to a media host and put what it
// takes to fetch and check it in the message. The fake's media host is the
// one its media_conn names (mmg.whatsapp.net, reached through
// HTTPClient); whatsmeow downloads from https://<host><directPath>&hash=…,
// so the direct path carries a query, as WhatsApp's do.

// AttachMedia uploads data as the attachment of m, which holds one media
// kind (image, video, audio, document or sticker) with the fields a test
// wants (caption, mimetype, file name...): it encrypts data as WhatsApp's
// clients do for that kind, stores it on the fake's media host, and sets
// the kind's URL, DirectPath, MediaKey, FileEncSHA256, FileSHA256,
// FileLength and MediaKeyTimestamp. It returns the direct path, for
// CorruptMedia and ExpireMedia.
func (s *Server) AttachMedia(m *waE2E.Message, data []byte) (string, error) {
	m = unwrap(m)
	var x proto.Message
	var kind whatsmeow.MediaType
	switch {
	case m.GetImageMessage() != nil:
		x, kind = m.GetImageMessage(), whatsmeow.MediaImage
	case m.GetVideoMessage() != nil:
		x, kind = m.GetVideoMessage(), whatsmeow.MediaVideo
	case m.GetAudioMessage() != nil:
		x, kind = m.GetAudioMessage(), whatsmeow.MediaAudio
	case m.GetDocumentMessage() != nil:
		x, kind = m.GetDocumentMessage(), whatsmeow.MediaDocument
	case m.GetStickerMessage() != nil:
		x, kind = m.GetStickerMessage(), whatsmeow.MediaImage // stickers use the image keys
	default:
		return "", errors.New("attach media: the message has no media kind")
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	blob, err := encryptMedia(data, key, kind)
	if err != nil {
		return "", fmt.Errorf("attach media: %w", err)
	}
	path := "/v/t62.7118-24/" + randomToken(18) + ".enc"
	s.mu.Lock()
	s.media[path] = blob
	s.mu.Unlock()
	encSHA, sha := sha256.Sum256(blob), sha256.Sum256(data)
	direct := path + "?ccb=11-4&oh=" + randomToken(12)
	// The five kinds name these fields alike but share no setters: set
	// them through reflection.
	r := x.ProtoReflect()
	for name, v := range map[protoreflect.Name]any{
		"URL": "https://mmg.whatsapp.net" + direct, "directPath": direct, "mediaKey": key,
		"fileEncSHA256": encSHA[:], "fileSHA256": sha[:], "fileLength": uint64(len(data)), "mediaKeyTimestamp": time.Now().Unix(),
	} {
		fd := r.Descriptor().Fields().ByName(name)
		if fd == nil {
			return "", fmt.Errorf("attach media: %s has no field %s", r.Descriptor().Name(), name)
		}
		r.Set(fd, protoreflect.ValueOf(v))
	}
	return direct, nil
}

// encryptMedia is decryptMedia's inverse: AES-CBC (PKCS#7 padded) under
// keys expanded from the media key for kind, then the first 10 bytes of an
// HMAC-SHA256 over iv and ciphertext.
func encryptMedia(data, mediaKey []byte, kind whatsmeow.MediaType) ([]byte, error) {
	expanded := hkdfutil.SHA256(mediaKey, nil, []byte(kind), 112)
	iv, cipherKey, macKey := expanded[:16], expanded[16:48], expanded[48:80]
	ciphertext, err := cbcutil.Encrypt(cipherKey, iv, data)
	if err != nil {
		return nil, err
	}
	h := hmac.New(sha256.New, macKey)
	h.Write(iv)
	h.Write(ciphertext)
	return append(ciphertext, h.Sum(nil)[:10]...), nil
}

// CorruptMedia flips one bit of a stored attachment's ciphertext, as a
// broken transfer or a tampering host would. It returns the SHA-256 of
// the corrupted blob: put it in the message's FileEncSHA256 for the
// download to get past that check and fail on the HMAC instead.
func (s *Server) CorruptMedia(directPath string) ([]byte, error) {
	path, _, _ := strings.Cut(directPath, "?")
	s.mu.Lock()
	defer s.mu.Unlock()
	blob, ok := s.media[path]
	if !ok {
		return nil, fmt.Errorf("corrupt media %q: not stored here", path)
	}
	blob = append([]byte(nil), blob...)
	blob[0] ^= 1
	s.media[path] = blob
	sum := sha256.Sum256(blob)
	return sum[:], nil
}

// ExpireMedia removes a stored attachment: downloads get 404, as for
// media WhatsApp no longer keeps.
func (s *Server) ExpireMedia(directPath string) {
	path, _, _ := strings.Cut(directPath, "?")
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.media, path)
}
