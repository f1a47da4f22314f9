package cloud

import (
	"fmt"

	"github.com/wagateway/wagateway/internal/config"
	"github.com/wagateway/wagateway/internal/s3media"
)

// mediaStore is the inbound media store of the AWS shape: the bucket of
// GATEWAY_MEDIA_BUCKET, judged by the same retention as the received
// messages (GATEWAY_MEDIA_RETENTION_DAYS), on which the bucket's
// lifecycle rule is set too (infra). The session host writes it, the API
// reads it and answers 302 to a presigned link (s3media.Store is an
// httpapi.MediaLinker), so that media never passes through the Lambda's
// 6 MB response.
func mediaStore(cfg config.AWS, c Clients, o Options) (*s3media.Store, error) {
	if c.S3 == nil {
		return nil, fmt.Errorf("media store: no S3 client")
	}
	store, err := s3media.New(c.S3, s3media.Config{Bucket: cfg.MediaBucket, Retention: cfg.MediaRetention(), Clock: o.Clock})
	if err != nil {
		return nil, fmt.Errorf("media store: %w", err)
	}
	return store, nil
}
