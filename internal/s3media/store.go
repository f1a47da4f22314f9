// Package s3media is the AWS adapter of the media store: objects in an S3
// bucket under media/<instance>/<messageId>, with the same contract as
// mediastore.Dir (internal/mediastore/mediastoretest checks both), plus
// PresignGet, so the API can redirect a download to S3 instead of
// streaming it through Lambda.
//
// # How a Put commits
//
// The SHA-256 of the content is only known once it has streamed through,
// but S3 metadata is fixed when an object is written. So Put uploads to a
// staging key (staging/<instance>/<random>), hashing on the way, and then commits
// with one CopyObject to the final key that sets the metadata (sha256,
// stored-at, file-name) and Content-Type; then it deletes the staging
// object. The final key thus changes in one step, from the old object
// whole to the new one whole: a failed or too large Put never touches it,
// and no reader ever sees an object without its SHA-256. A crash between
// upload and delete leaves a staging object: the bucket needs a lifecycle
// rule expiring staging/ after a day (and aborting incomplete multipart
// uploads), besides the rule expiring media/ after the retention period.
// A single CopyObject copies at most 5 GiB, so Put refuses larger limits;
// WhatsApp media is at most 2 GB.
//
// # Expiry
//
// Put records the store clock's time in the stored-at metadata, and Open
// and PresignGet judge expiry by it, not by LastModified: the lifecycle
// rule deletes up to a day late, while the API must answer 404 exactly at
// expiry, and judging by the injected clock lets tests move time. Objects
// without stored-at (not written by Put) fall back to LastModified.
//
// # Memory
//
// Uploads go through the SDK's upload manager, which buffers whole parts:
// one first part (read with io.ReadAll, so up to twice PartSize allocated
// while it grows) plus a pool of Concurrency+1 part buffers. One Put thus
// holds at most about (Concurrency+2)×PartSize: 20 MiB with the defaults
// (5 MiB parts, 2 in flight), whatever the size of the media. Media
// smaller than one part goes up in a single PutObject.
package s3media

import (
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/wagateway/wagateway/internal/clock"
)

// Defaults and S3 limits.
const (
	DefaultPartSize    = manager.MinUploadPartSize // 5 MiB, the smallest S3 accepts
	DefaultConcurrency = 2
	// MaxLimit is the largest object one CopyObject can commit.
	MaxLimit = 5 << 30
	// MaxPresignTTL is the longest a SigV4 presigned URL may live.
	MaxPresignTTL = 7 * 24 * time.Hour

	mediaPrefix   = "media/"
	stagingPrefix = "staging/"
)

// Config configures a Store.
type Config struct {
	Bucket    string
	Retention time.Duration // how long objects are found after Put
	Clock     clock.Clock
	// PartSize and Concurrency bound an upload's memory (see the package
	// doc); zero means DefaultPartSize and DefaultConcurrency.
	PartSize    int64
	Concurrency int
}

// Store keeps media in one S3 bucket.
type Store struct {
	client    *s3.Client
	presign   *s3.PresignClient
	uploader  *manager.Uploader
	bucket    string
	retention time.Duration
	clk       clock.Clock
}

// New returns a Store on client's bucket cfg.Bucket.
func New(client *s3.Client, cfg Config) (*Store, error) {
	switch {
	case client == nil:
		return nil, errors.New("s3media: nil client")
	case cfg.Bucket == "":
		return nil, errors.New("s3media: empty bucket")
	case cfg.Retention <= 0:
		return nil, fmt.Errorf("s3media: retention must be positive, got %s", cfg.Retention)
	case cfg.Clock == nil:
		return nil, errors.New("s3media: nil clock")
	case cfg.PartSize != 0 && cfg.PartSize < manager.MinUploadPartSize:
		return nil, fmt.Errorf("s3media: part size must be at least %d bytes", manager.MinUploadPartSize)
	case cfg.Concurrency < 0:
		return nil, errors.New("s3media: negative concurrency")
	}
	if cfg.PartSize == 0 {
		cfg.PartSize = DefaultPartSize
	}
	if cfg.Concurrency == 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	return &Store{
		client:  client,
		presign: s3.NewPresignClient(client),
		uploader: manager.NewUploader(client, func(u *manager.Uploader) {
			u.PartSize = cfg.PartSize
			u.Concurrency = cfg.Concurrency
			// Abort a failed multipart upload: its parts are invisible
			// but billed until then.
			u.LeavePartsOnError = false
		}),
		bucket:    cfg.Bucket,
		retention: cfg.Retention,
		clk:       cfg.Clock,
	}, nil
}
