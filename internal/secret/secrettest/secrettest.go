// Package secrettest is a GetSecretValue fake for tests, since no Secrets
// Manager emulator runs offline. It speaks the wire protocol the AWS SDK
// uses (JSON 1.1, X-Amz-Target: secretsmanager.GetSecretValue), holds one
// current value per secret ARN, answers errors as Secrets Manager does
// (status 400, {"__type": ..., "message": ...}), counts requests and can
// hold them, so a test sees what reaches Secrets Manager and when.
package secrettest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// Region is the region the fake's clients are configured for.
const Region = "us-east-1"

// Fake is a Secrets Manager that knows GetSecretValue.
type Fake struct {
	URL string // the endpoint (BaseEndpoint, or AWS_ENDPOINT_URL_SECRETS_MANAGER)

	mu       sync.Mutex
	values   map[string]value // by ARN
	failWith string           // an error code every request gets; "" = none
	requests int
	hold     chan struct{} // requests wait on it when set
	arrived  chan struct{} // one send per request received (buffered: 1024)
}

type value struct {
	secret  string
	version int
}

// New starts a fake, closed when the test ends.
func New(t testing.TB) *Fake {
	f := &Fake{values: map[string]value{}, arrived: make(chan struct{}, 1024)}
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

// Client is an SDK client pointed at the fake, without retries so a
// failure shows at once.
func (f *Fake) Client() *secretsmanager.Client {
	return secretsmanager.New(secretsmanager.Options{
		Region: Region, BaseEndpoint: aws.String(f.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
}

// Put makes s the current value of arn (a new version), as
// put-secret-value does.
func (f *Fake) Put(arn, s string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.values[arn] = value{secret: s, version: f.values[arn].version + 1}
}

// Fail makes every request answer the error code (AccessDeniedException,
// ResourceNotFoundException, InternalServiceError, ...); "" heals.
func (f *Fake) Fail(code string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failWith = code
}

// Requests is how many GetSecretValue requests arrived.
func (f *Fake) Requests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests
}

// Hold makes requests wait, after they are counted, until the returned
// function is called.
func (f *Fake) Hold() (release func()) {
	ch := make(chan struct{})
	f.mu.Lock()
	f.hold = ch
	f.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			f.mu.Lock()
			f.hold = nil
			f.mu.Unlock()
			close(ch)
		})
	}
}

// Arrived receives once per request, when it has been counted.
func (f *Fake) Arrived() <-chan struct{} { return f.arrived }

func (f *Fake) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.Header.Get("X-Amz-Target") != "secretsmanager.GetSecretValue" ||
		!strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-amz-json-1.1") {
		fail(w, http.StatusBadRequest, "UnknownOperationException", "only GetSecretValue, JSON 1.1")
		return
	}
	if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
		fail(w, http.StatusBadRequest, "MissingAuthenticationTokenException", "request is not signed")
		return
	}
	var in struct{ SecretId string }
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.SecretId == "" {
		fail(w, http.StatusBadRequest, "InvalidParameterException", "SecretId is required")
		return
	}
	f.mu.Lock()
	f.requests++
	hold, code := f.hold, f.failWith
	v, ok := f.values[in.SecretId]
	f.mu.Unlock()
	f.arrived <- struct{}{}
	if hold != nil {
		<-hold
	}
	switch {
	case code == "AccessDeniedException":
		fail(w, http.StatusBadRequest, code, "User: arn:aws:sts::123456789012:assumed-role/api/fn is not authorized to perform: "+
			"secretsmanager:GetSecretValue on resource: "+in.SecretId+" because no identity-based policy allows it")
	case code != "":
		status := http.StatusBadRequest
		if code == "InternalServiceError" {
			status = http.StatusInternalServerError
		}
		fail(w, status, code, "failing as told")
	case !ok:
		fail(w, http.StatusBadRequest, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
	default:
		name := in.SecretId[strings.LastIndex(in.SecretId, ":")+1:]
		reply(w, http.StatusOK, map[string]any{"ARN": in.SecretId, "Name": name, "SecretString": v.secret,
			"VersionId": fmt.Sprintf("00000000-0000-4000-8000-%012d", v.version), "VersionStages": []string{"AWSCURRENT"},
			"CreatedDate": 1.7e9})
	}
}

func fail(w http.ResponseWriter, status int, code, msg string) {
	reply(w, status, map[string]string{"__type": code, "message": msg})
}

func reply(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-RequestId", "fake-request")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
