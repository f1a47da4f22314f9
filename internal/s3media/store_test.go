package s3media_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/mediastore"
	"github.com/wagateway/wagateway/internal/mediastore/mediastoretest"
	"github.com/wagateway/wagateway/internal/s3media"
)

var _ mediastoretest.Store = (*s3media.Store)(nil)

const bucket = "wagateway-media"

// emulator is one in-process S3 with a bucket, and a client for it.
type emulator struct {
	url    string
	client *s3.Client
}

// newEmulator starts gofakes3 on the memory backend. gofakes3 checks no
// signatures; opts go to it (e.g. a time source for LastModified).
func newEmulator(t *testing.T, opts ...gofakes3.Option) emulator {
	t.Helper()
	faker := gofakes3.New(s3mem.New(), append([]gofakes3.Option{gofakes3.WithLogger(gofakes3.DiscardLog())}, opts...)...)
	srv := httptest.NewServer(faker.Server())
	t.Cleanup(srv.Close)
	client := s3.New(s3.Options{
		BaseEndpoint: aws.String(srv.URL),
		Region:       "us-east-1",
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
	})
	_, err := client.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String(bucket)})
	require.NoError(t, err)
	return emulator{url: srv.URL, client: client}
}

func newStore(t *testing.T, e emulator, clk clock.Clock, retention time.Duration) *s3media.Store {
	t.Helper()
	s, err := s3media.New(e.client, s3media.Config{Bucket: bucket, Retention: retention, Clock: clk})
	require.NoError(t, err)
	return s
}

// keys lists every key in the bucket.
func (e emulator) keys(t *testing.T) []string {
	t.Helper()
	var keys []string
	pages := s3.NewListObjectsV2Paginator(e.client, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(context.Background())
		require.NoError(t, err)
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	return keys
}

func TestConformance(t *testing.T) {
	mediastoretest.Run(t, func(t *testing.T, clk clock.Clock, retention time.Duration) mediastoretest.Store {
		e := newEmulator(t)
		// Whatever a case did, only committed media may remain: no staging
		// object of a failed or finished Put.
		t.Cleanup(func() {
			for _, k := range e.keys(t) {
				require.True(t, strings.HasPrefix(k, "media/"), "leftover object %s", k)
			}
		})
		return newStore(t, e, clk, retention)
	})
}

func TestNewRejects(t *testing.T) {
	client := s3.New(s3.Options{Region: "us-east-1"})
	for name, cfg := range map[string]s3media.Config{
		"NoBucket":     {Retention: time.Hour, Clock: clock.Real{}},
		"NoRetention":  {Bucket: bucket, Clock: clock.Real{}},
		"NoClock":      {Bucket: bucket, Retention: time.Hour},
		"TinyParts":    {Bucket: bucket, Retention: time.Hour, Clock: clock.Real{}, PartSize: 1 << 20},
		"NegativeConc": {Bucket: bucket, Retention: time.Hour, Clock: clock.Real{}, Concurrency: -1},
	} {
		_, err := s3media.New(client, cfg)
		require.Error(t, err, name)
	}
	_, err := s3media.New(nil, s3media.Config{Bucket: bucket, Retention: time.Hour, Clock: clock.Real{}})
	require.Error(t, err)
}

// TestObjectLayout checks where an object and its metadata live.
func TestObjectLayout(t *testing.T) {
	e := newEmulator(t)
	clk := clock.NewFake(time.Date(2026, 3, 15, 10, 30, 0, 123456789, time.UTC))
	s := newStore(t, e, clk, time.Hour)
	obj, err := s.Put(t.Context(), mediastore.Key{Instance: "acme__a__b", MessageID: "3EB0C767"},
		mediastore.Meta{Mimetype: "image/jpeg", FileName: "фото 1.jpg"}, strings.NewReader("jpeg"), 100)
	require.NoError(t, err)
	require.Equal(t, []string{"media/acme__a__b/3EB0C767"}, e.keys(t))

	head, err := e.client.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("media/acme__a__b/3EB0C767")})
	require.NoError(t, err)
	require.Equal(t, "image/jpeg", aws.ToString(head.ContentType))
	require.Equal(t, obj.SHA256, head.Metadata["sha256"])
	require.Equal(t, "2026-03-15T10:30:00.123456789Z", head.Metadata["stored-at"])
	require.Equal(t, "UTF-8''%D1%84%D0%BE%D1%82%D0%BE%201.jpg", head.Metadata["file-name"])
}

// TestLastModifiedFallback checks that an object without stored-at
// metadata (not written by Put) expires by its LastModified.
func TestLastModifiedFallback(t *testing.T) {
	t0 := time.Date(2026, 3, 15, 10, 30, 0, 0, time.UTC)
	// gofakes3 stamps LastModified from its own time source; the SDK
	// signs with the real time, so the skew check must go.
	e := newEmulator(t, gofakes3.WithTimeSource(gofakes3.FixedTimeSource(t0)), gofakes3.WithTimeSkewLimit(0))
	clk := clock.NewFake(t0)
	s := newStore(t, e, clk, time.Hour)
	_, err := e.client.PutObject(t.Context(), &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String("media/acme__a__b/m1"), Body: strings.NewReader("x"),
	})
	require.NoError(t, err)
	k := mediastore.Key{Instance: "acme__a__b", MessageID: "m1"}

	clk.Advance(time.Hour - time.Second)
	rc, obj, err := s.Open(t.Context(), k)
	require.NoError(t, err)
	require.NoError(t, rc.Close())
	require.True(t, obj.StoredAt.Equal(t0), "StoredAt %s", obj.StoredAt)
	require.Equal(t, mediastore.Meta{Mimetype: mediastore.DefaultMimetype}, obj.Meta)

	clk.Advance(time.Second)
	_, _, err = s.Open(t.Context(), k)
	require.ErrorIs(t, err, mediastore.ErrNotFound)
}

// TestMissingBucket checks that a missing bucket, a deployment error, is
// not mistaken for missing media.
func TestMissingBucket(t *testing.T) {
	e := newEmulator(t)
	s, err := s3media.New(e.client, s3media.Config{Bucket: "no-such-bucket", Retention: time.Hour, Clock: clock.Real{}})
	require.NoError(t, err)
	_, _, err = s.Open(t.Context(), mediastore.Key{Instance: "acme__a__b", MessageID: "m1"})
	require.Error(t, err)
	require.NotErrorIs(t, err, mediastore.ErrNotFound)
}

func TestPresignGet(t *testing.T) {
	e := newEmulator(t)
	t0 := time.Date(2026, 3, 15, 10, 30, 0, 0, time.UTC)
	clk := clock.NewFake(t0)
	s := newStore(t, e, clk, time.Hour)
	ctx := t.Context()
	k := mediastore.Key{Instance: "acme__a__b", MessageID: "3EB0C767"}
	_, err := s.Put(ctx, k, mediastore.Meta{Mimetype: "audio/ogg", FileName: "voice.ogg"}, strings.NewReader("opus bytes"), 100)
	require.NoError(t, err)

	link, err := s.PresignGet(ctx, k, 5*time.Minute)
	require.NoError(t, err)
	u, err := url.Parse(link)
	require.NoError(t, err)
	base, err := url.Parse(e.url)
	require.NoError(t, err)
	require.Equal(t, base.Host, u.Host)
	require.Equal(t, "/"+bucket+"/media/acme__a__b/3EB0C767", u.Path)
	q := u.Query()
	require.Equal(t, "300", q.Get("X-Amz-Expires"))
	require.Equal(t, "AWS4-HMAC-SHA256", q.Get("X-Amz-Algorithm"))
	require.NotEmpty(t, q.Get("X-Amz-Signature"))
	require.NotContains(t, link, "voice", "no file name in URLs")

	resp, err := http.Get(link)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, "opus bytes", string(body))

	// The link never outlives the object: 90 s before expiry it lives
	// 90 s, with less than a second left there is none.
	clk.Advance(time.Hour - 90*time.Second)
	link, err = s.PresignGet(ctx, k, 5*time.Minute)
	require.NoError(t, err)
	u, err = url.Parse(link)
	require.NoError(t, err)
	require.Equal(t, "90", u.Query().Get("X-Amz-Expires"))
	clk.Advance(90*time.Second - 500*time.Millisecond)
	_, err = s.PresignGet(ctx, k, 5*time.Minute)
	require.ErrorIs(t, err, mediastore.ErrNotFound)

	_, err = s.PresignGet(ctx, mediastore.Key{Instance: "acme__a__b", MessageID: "missing"}, time.Minute)
	require.ErrorIs(t, err, mediastore.ErrNotFound)
	_, err = s.PresignGet(ctx, mediastore.Key{Instance: "..", MessageID: "x"}, time.Minute)
	require.ErrorIs(t, err, mediastore.ErrInvalidKey)
	for _, ttl := range []time.Duration{0, -time.Second, s3media.MaxPresignTTL + time.Second} {
		_, err = s.PresignGet(ctx, k, ttl)
		require.Error(t, err, "ttl %s", ttl)
	}
}

func TestPutLimitBounds(t *testing.T) {
	s := newStore(t, newEmulator(t), clock.Real{}, time.Hour)
	k := mediastore.Key{Instance: "acme__a__b", MessageID: "m1"}
	for _, limit := range []int64{-1, s3media.MaxLimit + 1} {
		_, err := s.Put(t.Context(), k, mediastore.Meta{}, strings.NewReader("x"), limit)
		require.Error(t, err, "limit %d", limit)
	}
}

// TestDeleteInstanceStaging checks that deleting an instance also erases
// what a crashed Put left in staging, and nothing of another instance.
func TestDeleteInstanceStaging(t *testing.T) {
	e := newEmulator(t)
	s := newStore(t, e, clock.Real{}, time.Hour)
	ctx := t.Context()
	for _, k := range []string{"staging/acme__c__x/CRASHED", "staging/acme__c__xy/RUNNING", "media/acme__c__x/m1"} {
		_, err := e.client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(k), Body: strings.NewReader("x")})
		require.NoError(t, err)
	}
	n, err := s.DeleteInstance(ctx, "acme__c__x")
	require.NoError(t, err)
	require.Equal(t, 1, n, "staging objects are not media and are not counted")
	require.Equal(t, []string{"staging/acme__c__xy/RUNNING"}, e.keys(t))
}

// TestDeleteInstanceManyPages checks that DeleteInstance pages through
// more objects than one listing page and one DeleteObjects batch hold.
func TestDeleteInstanceManyPages(t *testing.T) {
	if testing.Short() {
		t.Skip("puts 1,001 objects")
	}
	e := newEmulator(t)
	s := newStore(t, e, clock.Real{}, time.Hour)
	ctx := t.Context()
	const n = 1001
	for i := range n {
		_, err := e.client.PutObject(ctx, &s3.PutObjectInput{
			Bucket: aws.String(bucket), Key: aws.String(fmt.Sprintf("media/acme__c__x/m%04d", i)), Body: strings.NewReader("x"),
		})
		require.NoError(t, err)
	}
	got, err := s.DeleteInstance(ctx, "acme__c__x")
	require.NoError(t, err)
	require.Equal(t, n, got)
	require.Empty(t, e.keys(t))
}
