package s3media

import (
	"context"
	"errors"
	"fmt"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/wagateway/wagateway/internal/mediastore"
)

// fail turns an SDK error into the error the store returns: the context's
// error when the caller gave up, mediastore.ErrNotFound when S3 says the
// object does not exist, else the SDK error itself (the caller wraps it
// with the operation and key).
func (s *Store) fail(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	if missingObject(err) {
		return fmt.Errorf("%w (%w)", mediastore.ErrNotFound, err)
	}
	return err
}

// missingObject reports whether err says that the object is missing.
// GetObject says NoSuchKey; HeadObject has no body to say anything and
// comes back as a bare 404 (NotFound). A missing bucket is a 404 too, but
// a deployment error, not a missing object.
func missingObject(err error) bool {
	var (
		noKey    *types.NoSuchKey
		notFound *types.NotFound
		api      smithy.APIError
		resp     *awshttp.ResponseError
	)
	if errors.As(err, &noKey) || errors.As(err, &notFound) {
		return true
	}
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "NoSuchKey", "NotFound":
			return true
		case "NoSuchBucket":
			return false
		}
	}
	return errors.As(err, &resp) && resp.HTTPStatusCode() == 404 && (api == nil || api.ErrorCode() == "")
}

func isNotFound(err error) bool { return errors.Is(err, mediastore.ErrNotFound) }
