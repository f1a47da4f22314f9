package httpapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/mediastore"
)

// Media serves the inbound media the session host kept: the data
// directory locally (mediastore.Dir), S3 on AWS (s3media.Store).
type Media interface {
	// Open fails with mediastore.ErrNotFound for media unknown or past
	// its retention.
	Open(ctx context.Context, key mediastore.Key) (io.ReadCloser, mediastore.Object, error)
}

// MediaLinker is a Media that can hand out a short-lived link to the file
// itself (a presigned S3 URL), so that the API answers 302 instead of
// carrying the bytes (API Gateway caps a response at 10 MB).
type MediaLinker interface {
	PresignGet(ctx context.Context, key mediastore.Key, ttl time.Duration) (string, error)
}

// mediaLinkTTL is how long a link of MediaLinker stays good: long enough
// to follow the redirect, short enough that a leaked link soon dies.
const mediaLinkTTL = 5 * time.Minute

var errMediaNotFound = fault.New(fault.ErrNotFound, "Media not found: unknown message, no media, or past its retention")

// media serves GET /instance/{name}/media/{messageId}. What a stranger
// sent is never rendered: the file is an attachment, its type is not
// sniffed, and a browser that opens it anyway runs it sandboxed.
func (a *api) media(w http.ResponseWriter, r *http.Request, tenantID string) error {
	inst, err := a.svc.Instance(r.Context(), tenantID, r.PathValue("name"))
	if err != nil {
		return err
	}
	if a.mediaStore == nil {
		return errMediaNotFound
	}
	key, err := mediastore.NewKey(inst.Name.String(), r.PathValue("messageId"))
	if err != nil {
		return errMediaNotFound
	}
	if l, ok := a.mediaStore.(MediaLinker); ok {
		link, err := l.PresignGet(r.Context(), key, mediaLinkTTL)
		if errors.Is(err, mediastore.ErrNotFound) {
			return errMediaNotFound
		}
		if err != nil {
			return fmt.Errorf("link media %s: %w", key, err)
		}
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, link, http.StatusFound)
		return nil
	}
	rc, obj, err := a.mediaStore.Open(r.Context(), key)
	if errors.Is(err, mediastore.ErrNotFound) {
		return errMediaNotFound
	}
	if err != nil {
		return fmt.Errorf("open media %s: %w", key, err)
	}
	defer func() { _ = rc.Close() }()
	name := obj.Meta.FileName
	if name == "" {
		name = key.MessageID
	}
	h := w.Header()
	h.Set("Content-Type", obj.Meta.Mimetype)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	h.Set("Content-Length", strconv.FormatInt(obj.Size, 10))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("Cache-Control", "private, no-store")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = io.Copy(w, rc) // the status is out; a broken copy only cuts the body short
	}
	return nil
}
