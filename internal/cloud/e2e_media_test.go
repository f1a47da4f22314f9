package cloud_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/driver"
)

// TestAWSShapeInboundMedia carries inbound media through the AWS shape:
// a sandbox phone sends an image and a document to a linked instance; the
// session host in AWS mode stores them in the S3 bucket (gofakes3) before
// acknowledging; message.received goes through EventBridge, the webhook
// queue and the webhooks Lambda to the receiver with media.url on the
// API's public URL; that URL, called through the API Lambda, answers 302
// to a short-lived presigned S3 link, which gives back the bytes sent.
// Another tenant is refused the instance (403), an unknown message is 404,
// and the API only ever reads the bucket.
func TestAWSShapeInboundMedia(t *testing.T) {
	s := newShape(t)
	hook := newReceiver(t)
	s.tenant()
	const name = "acme__sales__main"
	s.instance(name, hook)
	s.link(name, "5491100000001")
	hook.await(t, 20*time.Second, func(d delivery) bool { return d.Event == "instance.connected" })

	// An image under S3's 5 MiB part size goes up in one PutObject; the
	// document, over it, as a multipart upload.
	files := []struct {
		id, messageType, mimetype, fileName string
		data                                []byte
	}{
		{"3EB0AWSIMAGE0001", "imageMessage", "image/jpeg", "", random(t, 300<<10)},
		{"3EB0AWSDOCUMENT1", "documentMessage", "application/pdf", "report.pdf", random(t, 6<<20)},
	}
	for _, f := range files {
		data := f.data
		require.NoError(t, s.sandbox.Inbound(name, driver.Inbound{
			MessageID: f.id, From: "5491112345678", PushName: "Juan", MessageType: f.messageType,
			Media: &driver.InboundMedia{Mimetype: f.mimetype, FileName: f.fileName, Size: int64(len(data)),
				Open: func(context.Context) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }},
		}))
	}

	for _, f := range files {
		got := hook.await(t, 30*time.Second, func(d delivery) bool {
			data, _ := d.Body["data"].(map[string]any)
			return d.Event == "message.received" && data["messageId"] == f.id
		})
		media, ok := got.Body["data"].(map[string]any)["media"].(map[string]any)
		require.True(t, ok, "message.received carries media: %v", got.Body)
		sum := sha256.Sum256(f.data)
		require.Nil(t, media["error"], f.id)
		require.Equal(t, f.mimetype, media["mimetype"], f.id)
		require.EqualValues(t, len(f.data), media["size"], f.id)
		require.Equal(t, hex.EncodeToString(sum[:]), media["sha256"], f.id)
		link, _ := media["url"].(string)
		require.Equal(t, strings.TrimSuffix(publicURL, "/")+"/instance/"+name+"/media/"+f.id, link,
			"media.url: the API's public URL, as the session host was told it")

		// Through the API Lambda: 302 to a presigned link on the bucket.
		u, err := url.Parse(link)
		require.NoError(t, err)
		res := s.raw(http.MethodGet, u.Path, nil)
		require.Equal(t, http.StatusFound, res.StatusCode, res.Body)
		require.Equal(t, "no-store", res.Headers["Cache-Control"])
		to, err := url.Parse(res.Headers["Location"])
		require.NoError(t, err)
		require.Equal(t, "/"+mediaBucket+"/media/"+name+"/"+f.id, to.Path)
		require.NotEmpty(t, to.Query().Get("X-Amz-Signature"), "a presigned link")
		ttl, err := strconv.Atoi(to.Query().Get("X-Amz-Expires"))
		require.NoError(t, err)
		require.LessOrEqual(t, ttl, 300, "short-lived")

		// Following it needs no credentials: the bytes are those sent.
		got2, err := http.Get(to.String())
		require.NoError(t, err)
		body, err := io.ReadAll(got2.Body)
		_ = got2.Body.Close()
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, got2.StatusCode, string(body))
		require.Equal(t, f.mimetype, got2.Header.Get("Content-Type"))
		gotSum := sha256.Sum256(body)
		require.Equal(t, hex.EncodeToString(sum[:]), hex.EncodeToString(gotSum[:]))
		require.True(t, bytes.Equal(f.data, body), "%s: the bytes sent", f.id)
	}

	// The bucket holds the committed objects only, no staging leftovers.
	require.ElementsMatch(t, []string{"media/" + name + "/" + files[0].id, "media/" + name + "/" + files[1].id}, s.bucketKeys())

	// Unknown message or instance: 404. (gofakes3 checks no IAM; on AWS
	// the HEAD of a missing key is a 404 only because the API's role may
	// list the bucket, see infra/media.go.)
	res := s.raw(http.MethodGet, "/instance/"+name+"/media/3EB0NOSUCHMESSAGE", nil)
	require.Equal(t, http.StatusNotFound, res.StatusCode, res.Body)
	res = s.raw(http.MethodGet, "/instance/acme__sales__nosuch/media/"+files[0].id, nil)
	require.Equal(t, http.StatusNotFound, res.StatusCode, res.Body)

	// Another tenant's key is refused the instance, and gets no link.
	other := s.otherTenant("globex")
	res = s.raw(http.MethodGet, "/instance/"+name+"/media/"+files[0].id, map[string]string{"apikey": other})
	require.Equal(t, http.StatusForbidden, res.StatusCode, res.Body)
	require.Empty(t, res.Headers["Location"])
	// And no key at all is 401.
	res = s.raw(http.MethodGet, "/instance/"+name+"/media/"+files[0].id, map[string]string{"apikey": ""})
	require.Equal(t, http.StatusUnauthorized, res.StatusCode, res.Body)

	// The API Lambda read the bucket with HEAD requests only (it is
	// granted s3:GetObject and s3:ListBucket, nothing that writes).
	for op := range s.apiCalls.Snapshot() {
		if strings.Contains(op, "/"+mediaBucket) {
			require.True(t, strings.HasPrefix(op, http.MethodHead+" "), "API Lambda: %s", op)
		}
	}
}

// raw sends one API Gateway v2 event through the API Lambda's handler and
// returns the response as is (a 302's body is not JSON). A header given
// empty is left out.
func (s *shape) raw(method, path string, headers map[string]string) events.APIGatewayV2HTTPResponse {
	s.t.Helper()
	h := map[string]string{}
	if s.apiKey != "" {
		h["apikey"] = s.apiKey
	}
	for k, v := range headers {
		if v == "" {
			delete(h, k)
		} else {
			h[k] = v
		}
	}
	rawPath, rawQuery, _ := strings.Cut(path, "?")
	res, err := s.api(s.ctx, events.APIGatewayV2HTTPRequest{Version: "2.0", RouteKey: "$default", RawPath: rawPath,
		RawQueryString: rawQuery, Headers: h, RequestContext: events.APIGatewayV2HTTPRequestContext{
			HTTP:      events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, Path: rawPath, Protocol: "HTTP/1.1", SourceIP: "203.0.113.9"},
			RequestID: uuid.NewString(), Stage: "$default", TimeEpoch: time.Now().UnixMilli()}})
	require.NoError(s.t, err)
	return res
}

// otherTenant creates tenant id and returns an API key of it.
func (s *shape) otherTenant(id string) string {
	s.t.Helper()
	// Admin routes take the operator key alone.
	own := s.apiKey
	s.apiKey = ""
	defer func() { s.apiKey = own }()
	admin := map[string]string{"x-admin-key": adminKey}
	code, body, _ := s.call(http.MethodPost, "/admin/tenants", `{"tenantId":"`+id+`"}`, admin)
	require.Equal(s.t, http.StatusCreated, code, body)
	code, key, _ := s.call(http.MethodPost, "/admin/tenants/"+id+"/keys", "", admin)
	require.Equal(s.t, http.StatusCreated, code, key)
	return key["apikey"].(string)
}

// bucketKeys lists every key in the media bucket.
func (s *shape) bucketKeys() []string {
	s.t.Helper()
	var keys []string
	pages := s3.NewListObjectsV2Paginator(s.s3, &s3.ListObjectsV2Input{Bucket: aws.String(mediaBucket)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(s.ctx)
		require.NoError(s.t, err)
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	return keys
}

func random(t testing.TB, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return b
}
