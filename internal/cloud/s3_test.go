package cloud_test

import (
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/cloud"
)

// The media bucket of the shape, and the API's URL as the session host is
// told it (GATEWAY_PUBLIC_URL): media.url starts with it, and the test
// calls the path after it through the API Lambda's handler.
const (
	mediaBucket = "shape-media"
	publicURL   = "https://abc123.execute-api.us-east-1.amazonaws.com/"
)

// newS3 starts an in-process S3 (gofakes3, memory backend) holding the
// media bucket and returns its endpoint. gofakes3 checks no signatures,
// so a presigned link works as long as it points at it.
func newS3(t testing.TB) string {
	t.Helper()
	faker := gofakes3.New(s3mem.New(), gofakes3.WithLogger(gofakes3.DiscardLog()))
	srv := httptest.NewServer(faker.Server())
	t.Cleanup(srv.Close)
	_, err := s3Client(srv.URL, nil).CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String(mediaBucket)})
	require.NoError(t, err)
	return srv.URL
}

// s3Client is an S3 client for the emulator at endpoint: path-style, as
// an emulator on a bare address needs (no bucket subdomains). hc, if
// set, carries its requests (a cloud.RequestCounter).
func s3Client(endpoint string, hc cloud.Doer) *s3.Client {
	o := s3.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
	}
	if hc != nil {
		o.HTTPClient = hc
	}
	return s3.New(o)
}
