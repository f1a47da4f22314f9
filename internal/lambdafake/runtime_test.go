package lambdafake

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/testbin"
)

func newRuntime(t *testing.T, o Options) *Runtime {
	t.Helper()
	rt, err := New(o)
	require.NoError(t, err)
	t.Cleanup(func() { _ = rt.Close() })
	return rt
}

func api(rt *Runtime, path string) string {
	return "http://" + rt.Addr() + "/2018-06-01/runtime" + path
}

// poll is a function's GET /next, done by hand.
func poll(t *testing.T, rt *Runtime) (*http.Response, []byte) {
	t.Helper()
	res, err := http.Get(api(rt, "/invocation/next"))
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res, body
}

func post(t *testing.T, url, body string, header ...string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	for i := 0; i < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

type outcome struct {
	res Response
	err error
}

func invokeAsync(ctx context.Context, rt *Runtime, payload string) <-chan outcome {
	ch := make(chan outcome, 1)
	go func() {
		res, err := rt.Invoke(ctx, []byte(payload))
		ch <- outcome{res, err}
	}()
	return ch
}

// The protocol as a hand-written function sees it.
func TestProtocol(t *testing.T) {
	rt := newRuntime(t, Options{FunctionName: "api"})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	before := time.Now()

	// A response.
	done := invokeAsync(ctx, rt, `{"n":1}`)
	res, body := poll(t, rt)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.JSONEq(t, `{"n":1}`, string(body))
	id := res.Header.Get(HeaderRequestID)
	require.Len(t, id, 36)
	require.Equal(t, "arn:aws:lambda:us-east-1:000000000000:function:api", res.Header.Get(HeaderFunctionArn))
	require.Equal(t, rt.FunctionArn(), res.Header.Get(HeaderFunctionArn))
	ms, err := strconv.ParseInt(res.Header.Get(HeaderDeadlineMs), 10, 64)
	require.NoError(t, err)
	wantDeadline, _ := ctx.Deadline()
	require.Equal(t, wantDeadline.UnixMilli(), ms, "the deadline is the Invoke context's")
	first, err := rt.FirstNext(ctx)
	require.NoError(t, err)
	require.False(t, first.Before(before))

	require.Equal(t, http.StatusAccepted, post(t, api(rt, "/invocation/"+id+"/response"), `{"ok":true}`))
	o := <-done
	require.NoError(t, o.err)
	require.JSONEq(t, `{"ok":true}`, string(o.res.Payload))
	require.Nil(t, o.res.Err)
	// An invocation is answered once.
	require.Equal(t, http.StatusBadRequest, post(t, api(rt, "/invocation/"+id+"/response"), `{}`))
	require.Equal(t, http.StatusBadRequest, post(t, api(rt, "/invocation/nope/error"), `{"errorType":"x"}`))

	// An error, its type in the body or only in the header.
	for _, hdrOnly := range []bool{false, true} {
		done = invokeAsync(ctx, rt, `{}`)
		res, _ = poll(t, rt)
		id = res.Header.Get(HeaderRequestID)
		if hdrOnly {
			require.Equal(t, http.StatusAccepted, post(t, api(rt, "/invocation/"+id+"/error"), `{"errorMessage":"boom"}`,
				HeaderErrorType, "Handler.Boom"))
		} else {
			require.Equal(t, http.StatusAccepted, post(t, api(rt, "/invocation/"+id+"/error"),
				`{"errorType":"Handler.Boom","errorMessage":"boom"}`))
		}
		o = <-done
		require.NoError(t, o.err)
		require.Equal(t, &FunctionError{Type: "Handler.Boom", Message: "boom"}, o.res.Err)
	}

	// The first poll time does not move.
	again, err := rt.FirstNext(ctx)
	require.NoError(t, err)
	require.Equal(t, first, again)
}

func TestDefaultDeadline(t *testing.T) {
	rt := newRuntime(t, Options{Timeout: 3 * time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	start := time.Now()
	done := invokeAsync(ctx, rt, `{}`)
	res, _ := poll(t, rt)
	ms, err := strconv.ParseInt(res.Header.Get(HeaderDeadlineMs), 10, 64)
	require.NoError(t, err)
	require.InDelta(t, float64(start.Add(3*time.Second).UnixMilli()), float64(ms), 1000)
	require.Equal(t, http.StatusAccepted, post(t, api(rt, "/invocation/"+res.Header.Get(HeaderRequestID)+"/response"), `1`))
	require.NoError(t, (<-done).err)
}

func TestResponseTooLarge(t *testing.T) {
	rt := newRuntime(t, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := invokeAsync(ctx, rt, `{}`)
	res, _ := poll(t, rt)
	big := strings.Repeat("x", maxPayload+1)
	require.Equal(t, http.StatusRequestEntityTooLarge, post(t, api(rt, "/invocation/"+res.Header.Get(HeaderRequestID)+"/response"), big))
	o := <-done
	require.NoError(t, o.err)
	require.Equal(t, "Function.ResponseSizeTooLarge", o.res.Err.Type)
}

// An invocation whose caller gave up is never handed to the function.
func TestCancelledInvocationSkipped(t *testing.T) {
	rt := newRuntime(t, Options{})
	gone, cancelGone := context.WithCancel(context.Background())
	stale := invokeAsync(gone, rt, `{"stale":true}`)
	require.Eventually(t, func() bool { return len(rt.queue) == 1 }, 5*time.Second, time.Millisecond)
	cancelGone()
	require.ErrorIs(t, (<-stale).err, context.Canceled)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := invokeAsync(ctx, rt, `{"fresh":true}`)
	res, body := poll(t, rt)
	require.JSONEq(t, `{"fresh":true}`, string(body))
	require.Equal(t, http.StatusAccepted, post(t, api(rt, "/invocation/"+res.Header.Get(HeaderRequestID)+"/response"), `{}`))
	require.NoError(t, (<-done).err)
}

func TestInitError(t *testing.T) {
	rt := newRuntime(t, Options{})
	_, ok := rt.InitError()
	require.False(t, ok)
	require.Equal(t, http.StatusBadRequest, post(t, api(rt, "/init/error"), `not json`))
	require.Equal(t, http.StatusBadRequest, post(t, api(rt, "/init/error"), ``))
	require.Equal(t, http.StatusAccepted, post(t, api(rt, "/init/error"), `{"errorType":"Runtime.ConfigError","errorMessage":"no table"}`))
	fe, ok := rt.InitError()
	require.True(t, ok)
	require.Equal(t, FunctionError{Type: "Runtime.ConfigError", Message: "no table"}, fe)
}

func TestFirstNextTimesOut(t *testing.T) {
	rt := newRuntime(t, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := rt.FirstNext(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

// buildEcho compiles testdata/echo as a provided.al2023 bootstrap.
func buildEcho(t *testing.T) string {
	t.Helper()
	return testbin.Build(t, "./testdata/echo", t.TempDir(), "bootstrap", "lambda.norpc")
}

// A real aws-lambda-go function through the fake, from cold start to a
// panic that ends the process.
func TestRealFunction(t *testing.T) {
	bin := buildEcho(t)
	rt := newRuntime(t, Options{FunctionName: "echo"})
	var logs bytes.Buffer
	fn, err := rt.Start(bin, []string{"EXTRA=1"}, &logs)
	require.NoError(t, err)
	t.Cleanup(func() { _ = fn.Stop() })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	cold, err := fn.ColdStart(ctx)
	require.NoError(t, err)
	require.Greater(t, cold, time.Duration(0))
	require.Less(t, cold, 5*time.Second)

	res, err := fn.Invoke(ctx, []byte(`{"say":"hi"}`))
	require.NoError(t, err)
	require.Nil(t, res.Err)
	var got struct {
		Said, RequestID, Arn, Function string
		DeadlineMs                     int64
	}
	require.NoError(t, json.Unmarshal(res.Payload, &got))
	dl, _ := ctx.Deadline()
	require.Equal(t, "hi", got.Said)
	require.Len(t, got.RequestID, 36)
	require.Equal(t, rt.FunctionArn(), got.Arn)
	require.Equal(t, "echo", got.Function, "the Lambda environment variables are set")
	require.Equal(t, dl.UnixMilli(), got.DeadlineMs)

	res, err = fn.Invoke(ctx, []byte(`{"fail":"nope"}`))
	require.NoError(t, err)
	require.NotNil(t, res.Err)
	require.Equal(t, "nope", res.Err.Message)
	require.Equal(t, "errorString", res.Err.Type)

	// A panic is reported, then the process exits; Invoke then fails at
	// once instead of waiting for its deadline.
	res, err = fn.Invoke(ctx, []byte(`{"panic":true}`))
	require.NoError(t, err)
	require.NotNil(t, res.Err)
	require.Contains(t, res.Err.Message, "asked to panic")
	select {
	case <-fn.Exited():
	case <-ctx.Done():
		t.Fatal("the function did not exit after its panic")
	}
	start := time.Now()
	_, err = fn.Invoke(ctx, []byte(`{}`))
	require.ErrorContains(t, err, "function exited")
	require.Less(t, time.Since(start), 5*time.Second)
	require.Error(t, fn.Stop(), "an exit on its own with an error is reported")
	require.Contains(t, fn.Output(), "asked to panic")
	require.Contains(t, logs.String(), "asked to panic")
}

func TestRealFunctionInitError(t *testing.T) {
	bin := buildEcho(t)
	rt := newRuntime(t, Options{})
	fn, err := rt.Start(bin, []string{"ECHO_INIT_FAIL=GATEWAY_TABLE: required"}, nil)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = fn.ColdStart(ctx)
	require.ErrorContains(t, err, "function exited")
	fe, ok := rt.InitError()
	require.True(t, ok)
	require.Equal(t, FunctionError{Type: "Runtime.ConfigError", Message: "GATEWAY_TABLE: required"}, fe)
	require.Error(t, fn.Stop())
}

func TestStopKills(t *testing.T) {
	bin := buildEcho(t)
	rt := newRuntime(t, Options{})
	fn, err := rt.Start(bin, nil, nil)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = fn.ColdStart(ctx)
	require.NoError(t, err)
	require.NoError(t, fn.Stop(), "a kill by Stop is not an error")
	select {
	case <-fn.Exited():
	default:
		t.Fatal("Stop returned before the process ended")
	}
}
