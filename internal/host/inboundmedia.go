package host

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/wagateway/wagateway/events"
	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/mediastore"
	"github.com/wagateway/wagateway/internal/message"
)

// MediaStore keeps inbound media: the data directory locally
// (mediastore.Dir), an S3 bucket on AWS (s3media.Store).
type MediaStore interface {
	// Put streams r into the store under key, refusing more than limit
	// bytes (mediastore.ErrTooLarge); an error of r comes back wrapped.
	Put(ctx context.Context, key mediastore.Key, meta mediastore.Meta, r io.Reader, limit int64) (mediastore.Object, error)
	// DeleteInstance deletes all of an instance's media.
	DeleteInstance(ctx context.Context, instance string) (int, error)
}

// Errors of a media download, as media.error shows them: short, fixed
// texts that say what happened without repeating WhatsApp's.
const (
	mediaUnavailable = "WhatsApp no longer has this media, or it could not be downloaded and verified"
	mediaTooLarge    = "media larger than WhatsApp allows for its type"
	mediaNotKept     = "this gateway keeps no media (no media store configured)"
)

// storeMedia downloads in's media into the media store and says where the
// API serves it. A download WhatsApp cannot serve (expired, tampered) or a
// file over its type's limit is not an error: the event goes out with
// media.error. A store that fails is an error, so the message stays
// unacknowledged and comes again.
func (h *Host) storeMedia(ctx context.Context, inst string, in driver.Inbound) (*events.Media, error) {
	m := in.Media
	out := &events.Media{Mimetype: m.Mimetype, FileName: nonEmpty(m.FileName)}
	if out.Mimetype == "" {
		out.Mimetype = mediastore.DefaultMimetype
	}
	if h.cfg.Media == nil {
		out.Error = mediaNotKept
		return out, nil
	}
	key, err := mediastore.NewKey(inst, in.MessageID)
	if err != nil {
		return nil, fmt.Errorf("media key: %w", err)
	}
	limit := inboundLimit(in.MessageType)
	if m.Size > limit {
		out.Error = mediaTooLarge
		return out, nil
	}
	rc, err := m.Open(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		// Not the error's text: a download error can quote the media's
		// signed URL.
		h.log.Info("inbound media not downloaded", "instance", inst, "waMessageId", in.MessageID)
		out.Error = mediaUnavailable
		return out, nil
	}
	defer func() { _ = rc.Close() }()
	src := &readErr{r: rc}
	obj, err := h.cfg.Media.Put(ctx, key, mediastore.Meta{Mimetype: out.Mimetype, FileName: m.FileName}, src, limit)
	switch {
	case err == nil:
	case errors.Is(err, mediastore.ErrTooLarge):
		out.Error = mediaTooLarge
		return out, nil
	case src.err != nil && ctx.Err() == nil:
		h.log.Info("inbound media download broke off", "instance", inst, "waMessageId", in.MessageID)
		out.Error = mediaUnavailable
		return out, nil
	default:
		return nil, fmt.Errorf("store media: %w", err)
	}
	link := h.mediaURL(inst, in.MessageID)
	out.URL, out.Size, out.SHA256 = &link, &obj.Size, &obj.SHA256
	return out, nil
}

// mediaURL is where GET /instance/{name}/media/{messageId} serves it.
func (h *Host) mediaURL(inst, messageID string) string {
	return strings.TrimSuffix(h.cfg.PublicURL, "/") + "/instance/" + url.PathEscape(inst) + "/media/" + url.PathEscape(messageID)
}

// inboundLimit is the most bytes kept of an inbound file of messageType:
// WhatsApp's limit for its kind (imageMessage is an image, ...), the
// largest of them for a type without one.
func inboundLimit(messageType string) int64 {
	if k, ok := message.KindOf(message.Type(strings.TrimSuffix(messageType, "Message"))); ok {
		if m, ok := k.Media(); ok {
			return m.MaxBytes
		}
	}
	var most int64
	for _, k := range message.Kinds() {
		if m, ok := k.Media(); ok {
			most = max(most, m.MaxBytes)
		}
	}
	return most
}

// readErr remembers the error of the download it reads, so that a failed
// Put tells a download that broke off from a store that failed.
type readErr struct {
	r   io.Reader
	err error
}

func (r *readErr) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		r.err = err
	}
	return n, err
}
