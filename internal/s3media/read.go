package s3media

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/wagateway/wagateway/internal/mediastore"
)

// Open returns the content and description of the object under key, or
// mediastore.ErrNotFound if there is none or it is past retention (even if
// the lifecycle rule has not deleted it yet). The caller closes the
// reader.
func (s *Store) Open(ctx context.Context, key mediastore.Key) (io.ReadCloser, mediastore.Object, error) {
	if err := key.Validate(); err != nil {
		return nil, mediastore.Object{}, fmt.Errorf("s3media: open: %w", err)
	}
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String(s.bucket),
		Key:    aws.String(objectKey(key)),
	})
	if err != nil {
		return nil, mediastore.Object{}, fmt.Errorf("s3media: open %s: %w", key, s.fail(ctx, err))
	}
	obj := decodeMeta(key, out.Metadata, out.ContentType, out.ContentLength, out.LastModified)
	if obj.Expired(s.clk.Now(), s.retention) {
		// Closing unread drops the connection; expired reads are rare
		// enough that a HEAD first would cost more than it saves.
		_ = out.Body.Close()
		return nil, mediastore.Object{}, fmt.Errorf("s3media: open %s: expired: %w", key, mediastore.ErrNotFound)
	}
	return out.Body, obj, nil
}

// PresignGet returns a URL that fetches the object under key without
// credentials, valid for ttl (at most MaxPresignTTL) but never past the
// object's expiry, so the link dies when the API starts answering 404.
// It checks first that the object exists and is not expired (else
// mediastore.ErrNotFound), which costs one HEAD request. With temporary
// credentials (a Lambda role), the URL also dies with them.
//
// The URL carries no file name or content type overrides: it ends up in
// access logs and browser histories, and file names are customer data.
func (s *Store) PresignGet(ctx context.Context, key mediastore.Key, ttl time.Duration) (string, error) {
	if err := key.Validate(); err != nil {
		return "", fmt.Errorf("s3media: presign: %w", err)
	}
	if ttl <= 0 || ttl > MaxPresignTTL {
		return "", fmt.Errorf("s3media: presign %s: ttl must be within 0..%s", key, MaxPresignTTL)
	}
	head, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{
		Bucket: aws.String(s.bucket),
		Key:    aws.String(objectKey(key)),
	})
	if err != nil {
		return "", fmt.Errorf("s3media: presign %s: %w", key, s.fail(ctx, err))
	}
	obj := decodeMeta(key, head.Metadata, head.ContentType, head.ContentLength, head.LastModified)
	// Presigned URLs live whole seconds; round down so the link never
	// outlives the object, and give none when less than a second is left.
	left := obj.ExpiresAt(s.retention).Sub(s.clk.Now()).Truncate(time.Second)
	if ttl > left {
		ttl = left
	}
	if ttl < time.Second {
		return "", fmt.Errorf("s3media: presign %s: expired: %w", key, mediastore.ErrNotFound)
	}
	req, err := s.presign.PresignGetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String(s.bucket),
		Key:    aws.String(objectKey(key)),
	}, s3.WithPresignExpires(ttl))
	if err != nil {
		return "", fmt.Errorf("s3media: presign %s: %w", key, s.fail(ctx, err))
	}
	return req.URL, nil
}
