package s3media

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/wagateway/wagateway/internal/mediastore"
)

// cleanupTimeout bounds the best-effort removal of a staging object,
// which runs even when the caller's context has ended.
const cleanupTimeout = 10 * time.Second

// Put streams r into the object under key, replacing any earlier one
// whole; see the package doc for how it commits and how much memory it
// uses. It reads at most limit+1 bytes: a longer stream fails with
// mediastore.ErrTooLarge. On any failure the object under key is
// untouched.
func (s *Store) Put(ctx context.Context, key mediastore.Key, meta mediastore.Meta, r io.Reader, limit int64) (mediastore.Object, error) {
	if err := key.Validate(); err != nil {
		return mediastore.Object{}, fmt.Errorf("s3media: put: %w", err)
	}
	meta, err := meta.Normalize()
	if err != nil {
		return mediastore.Object{}, fmt.Errorf("s3media: put %s: %w", key, err)
	}
	if limit < 0 || limit > MaxLimit {
		return mediastore.Object{}, fmt.Errorf("s3media: put %s: limit must be within 0..%d", key, int64(MaxLimit))
	}
	if err := ctx.Err(); err != nil {
		return mediastore.Object{}, fmt.Errorf("s3media: put %s: %w", key, err)
	}

	// The staging key is random, so concurrent Puts of one key never share
	// it, and lies under the instance's staging prefix, so DeleteInstance
	// also erases what a crashed Put left there.
	staging := stagingKey(key.Instance, rand.Text())
	defer s.removeStaging(ctx, staging)

	src := &source{ctx: ctx, r: r, limit: limit, hash: sha256.New()}
	_, err = s.uploader.Upload(ctx, &s3.PutObjectInput{
		Bucket:      aws.String(s.bucket),
		Key:         aws.String(staging),
		Body:        src,
		ContentType: aws.String(meta.Mimetype),
	})
	if err != nil {
		return mediastore.Object{}, fmt.Errorf("s3media: put %s: %w", key, src.cause(err))
	}

	obj := mediastore.Object{
		Key:      key,
		Meta:     meta,
		Size:     src.n,
		SHA256:   hex.EncodeToString(src.hash.Sum(nil)),
		StoredAt: s.clk.Now().UTC().Round(0),
	}
	_, err = s.client.CopyObject(ctx, &s3.CopyObjectInput{
		Bucket:            aws.String(s.bucket),
		Key:               aws.String(objectKey(key)),
		CopySource:        aws.String(s.bucket + "/" + staging),
		MetadataDirective: types.MetadataDirectiveReplace,
		ContentType:       aws.String(meta.Mimetype),
		Metadata:          encodeMeta(obj),
	})
	if err != nil {
		return mediastore.Object{}, fmt.Errorf("s3media: put %s: commit: %w", key, s.fail(ctx, err))
	}
	return obj, nil
}

// removeStaging deletes a staging object, if there is one, even after ctx
// ended. Failure is not reported: the lifecycle rule on staging/ removes
// what is left, and the Put's outcome does not depend on it.
func (s *Store) removeStaging(ctx context.Context, staging string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	_, _ = s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(staging)})
}

// source is the upload's view of the caller's stream: it hashes and
// counts the bytes, refuses to go past limit, and keeps its own errors,
// because the upload manager wraps read errors in ways that do not all
// unwrap.
type source struct {
	ctx      context.Context
	r        io.Reader
	limit    int64
	n        int64
	hash     hash.Hash
	err      error // the stream's own failure, or the context's
	tooLarge bool
}

func (s *source) Read(p []byte) (int, error) {
	if s.tooLarge {
		return 0, mediastore.ErrTooLarge
	}
	if s.err != nil {
		return 0, s.err
	}
	if err := s.ctx.Err(); err != nil {
		s.err = err
		return 0, err
	}
	// Read at most one byte past the limit: that byte tells "exactly
	// limit" from "more" without pulling in the rest of a huge stream.
	if room := s.limit + 1 - s.n; int64(len(p)) > room {
		p = p[:room]
	}
	n, err := s.r.Read(p)
	s.n += int64(n)
	if s.n > s.limit {
		s.tooLarge = true
		return 0, mediastore.ErrTooLarge
	}
	s.hash.Write(p[:n])
	if err != nil && !errors.Is(err, io.EOF) {
		s.err = err
	}
	return n, err
}

// cause picks the error to report for a failed upload: the stream's own
// problem if it had one, else the SDK's.
func (s *source) cause(uploadErr error) error {
	switch {
	case s.tooLarge:
		return fmt.Errorf("%w: more than %d bytes", mediastore.ErrTooLarge, s.limit)
	case s.err != nil:
		return fmt.Errorf("stream: %w", s.err)
	case s.ctx.Err() != nil:
		return s.ctx.Err()
	}
	return fmt.Errorf("upload: %w", uploadErr)
}
