package whatsapptest

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/util/cbcutil"
	"go.mau.fi/whatsmeow/util/hkdfutil"
)

// maxUpload bounds one uploaded attachment.
const maxUpload = 64 << 20

// serveUpload stores an encrypted attachment (POST /mms/{kind}/{token}
// ?auth=...) and answers with where it can be downloaded, as WhatsApp's
// media hosts do.
func (s *Server) serveUpload(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("auth") != s.mediaAuth {
		http.Error(w, "bad auth", http.StatusUnauthorized)
		return
	}
	blob, err := io.ReadAll(io.LimitReader(r.Body, maxUpload+1))
	if err != nil || len(blob) > maxUpload {
		http.Error(w, "bad upload", http.StatusBadRequest)
		return
	}
	if sum := sha256.Sum256(blob); r.PathValue("token") != base64.URLEncoding.EncodeToString(sum[:]) {
		http.Error(w, "token does not match the upload", http.StatusBadRequest)
		return
	}
	path := "/v/t62.7118-24/" + randomToken(18) + ".enc"
	s.mu.Lock()
	s.media[path] = blob
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{
		"url": "https://mmg.whatsapp.net" + path + "?ccb=11-4", "direct_path": path + "?ccb=11-4",
	})
}

// serveDownload returns an uploaded attachment, still encrypted.
func (s *Server) serveDownload(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	blob, ok := s.media[r.URL.Path]
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	if h := s.holdOf(r.URL.Path); h != nil {
		h.serveHeld(w, r, blob)
		return
	}
	_, _ = w.Write(blob)
}

// attachment decrypts the attachment m refers to, if any: nil without one.
func (s *Server) attachment(m *waE2E.Message) ([]byte, error) {
	m = unwrap(m)
	var media whatsmeow.DownloadableMessage
	var kind whatsmeow.MediaType
	switch {
	case m.GetImageMessage() != nil:
		media, kind = m.GetImageMessage(), whatsmeow.MediaImage
	case m.GetVideoMessage() != nil:
		media, kind = m.GetVideoMessage(), whatsmeow.MediaVideo
	case m.GetAudioMessage() != nil:
		media, kind = m.GetAudioMessage(), whatsmeow.MediaAudio
	case m.GetDocumentMessage() != nil:
		media, kind = m.GetDocumentMessage(), whatsmeow.MediaDocument
	case m.GetStickerMessage() != nil:
		media, kind = m.GetStickerMessage(), whatsmeow.MediaImage
	default:
		return nil, nil
	}
	path, _, _ := strings.Cut(media.GetDirectPath(), "?")
	s.mu.Lock()
	blob, ok := s.media[path]
	s.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("attachment %q was not uploaded here", path)
	}
	data, err := decryptMedia(blob, media.GetMediaKey(), kind)
	if err != nil {
		return nil, fmt.Errorf("attachment %q: %w", path, err)
	}
	if sum := sha256.Sum256(data); !hmac.Equal(sum[:], media.GetFileSHA256()) {
		return nil, fmt.Errorf("attachment %q: plaintext hash differs from the message's", path)
	}
	if x := m.GetStickerMessage(); x != nil {
		if err := CheckSticker(x, data); err != nil {
			return nil, fmt.Errorf("attachment %q: %w", path, err)
		}
	}
	return data, nil
}

// decryptMedia opens an attachment: AES-CBC ciphertext followed by the
// first 10 bytes of an HMAC-SHA256 over iv and ciphertext, all keys
// expanded from the message's media key.
func decryptMedia(blob, mediaKey []byte, kind whatsmeow.MediaType) ([]byte, error) {
	if len(blob) <= 10 || len(mediaKey) != 32 {
		return nil, errors.New("truncated attachment or bad media key")
	}
	expanded := hkdfutil.SHA256(mediaKey, nil, []byte(kind), 112)
	iv, cipherKey, macKey := expanded[:16], expanded[16:48], expanded[48:80]
	ciphertext, mac := blob[:len(blob)-10], blob[len(blob)-10:]
	h := hmac.New(sha256.New, macKey)
	h.Write(iv)
	h.Write(ciphertext)
	if !hmac.Equal(h.Sum(nil)[:10], mac) {
		return nil, errors.New("attachment MAC mismatch")
	}
	// cbcutil decrypts in place: work on a copy, the stored blob is
	// downloaded and decrypted again later.
	return cbcutil.Decrypt(cipherKey, iv, bytes.Clone(ciphertext))
}

// unwrap returns the message inside the wrappers WhatsApp clients put
// around some content: a document with a caption travels as a
// documentWithCaptionMessage, view-once and disappearing messages inside
// their own envelopes.
func unwrap(m *waE2E.Message) *waE2E.Message {
	for {
		var inner *waE2E.Message
		switch {
		case m.GetDocumentWithCaptionMessage() != nil:
			inner = m.GetDocumentWithCaptionMessage().GetMessage()
		case m.GetEphemeralMessage() != nil:
			inner = m.GetEphemeralMessage().GetMessage()
		case m.GetViewOnceMessage() != nil:
			inner = m.GetViewOnceMessage().GetMessage()
		case m.GetViewOnceMessageV2() != nil:
			inner = m.GetViewOnceMessageV2().GetMessage()
		}
		if inner == nil {
			return m
		}
		m = inner
	}
}
