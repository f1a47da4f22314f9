package s3media

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/wagateway/wagateway/internal/mediastore"
)

// maxDeleteBatch is the most keys one DeleteObjects takes.
const maxDeleteBatch = 1000

// Delete removes the object under key. A missing object is not an error
// (S3 answers a delete of a missing key with success anyway).
func (s *Store) Delete(ctx context.Context, key mediastore.Key) error {
	if err := key.Validate(); err != nil {
		return fmt.Errorf("s3media: delete: %w", err)
	}
	_, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{
		Bucket: aws.String(s.bucket),
		Key:    aws.String(objectKey(key)),
	})
	if err != nil {
		if err = s.fail(ctx, err); isNotFound(err) {
			return nil
		}
		return fmt.Errorf("s3media: delete %s: %w", key, err)
	}
	return nil
}

// DeleteInstance removes every object of instance, expired or not, and
// reports how many it removed. It lists by the instance's prefix, which
// ends in a slash, so an instance whose name merely starts with this one
// keeps its media. It also removes the instance's staging objects (not
// counted): leftovers of crashed Puts, or uploads of Puts running now,
// which then fail. If some deletions fail, it reports the count of those
// that succeeded and an error; running it again finishes the job.
func (s *Store) DeleteInstance(ctx context.Context, instance string) (int, error) {
	if err := mediastore.ValidateInstance(instance); err != nil {
		return 0, fmt.Errorf("s3media: delete instance: %w", err)
	}
	deleted, err := s.deletePrefix(ctx, instancePrefix(instance))
	if err != nil {
		return deleted, fmt.Errorf("s3media: delete instance %s: %w", instance, err)
	}
	if _, err := s.deletePrefix(ctx, stagingKey(instance, "")); err != nil {
		return deleted, fmt.Errorf("s3media: delete instance %s: staging: %w", instance, err)
	}
	return deleted, nil
}

// deletePrefix deletes every object whose key starts with prefix, a page
// of the listing at a time, and reports how many went.
func (s *Store) deletePrefix(ctx context.Context, prefix string) (int, error) {
	pages := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{
		Bucket: aws.String(s.bucket),
		Prefix: aws.String(prefix),
	})
	deleted := 0
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return deleted, fmt.Errorf("list: %w", s.fail(ctx, err))
		}
		ids := make([]types.ObjectIdentifier, 0, len(page.Contents))
		for _, o := range page.Contents {
			ids = append(ids, types.ObjectIdentifier{Key: o.Key})
		}
		// A page holds at most 1000 keys, S3's batch limit, but do not
		// count on it.
		for len(ids) > 0 {
			batch := ids[:min(len(ids), maxDeleteBatch)]
			ids = ids[len(batch):]
			n, err := s.deleteBatch(ctx, batch)
			deleted += n
			if err != nil {
				return deleted, err
			}
		}
	}
	return deleted, nil
}

// deleteBatch deletes up to maxDeleteBatch objects and reports how many
// went; a partial failure is an error naming the first failed key.
func (s *Store) deleteBatch(ctx context.Context, ids []types.ObjectIdentifier) (int, error) {
	out, err := s.client.DeleteObjects(ctx, &s3.DeleteObjectsInput{
		Bucket: aws.String(s.bucket),
		Delete: &types.Delete{Objects: ids, Quiet: aws.Bool(true)},
	})
	if err != nil {
		return 0, fmt.Errorf("delete objects: %w", s.fail(ctx, err))
	}
	if len(out.Errors) > 0 {
		first := out.Errors[0]
		return len(ids) - len(out.Errors), fmt.Errorf("delete objects: %d of %d failed, first %s: %s",
			len(out.Errors), len(ids), aws.ToString(first.Key), aws.ToString(first.Code))
	}
	return len(ids), nil
}
