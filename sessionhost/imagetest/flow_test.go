//go:build imagetest

package imagetest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const instance = "demo__imagetest__main"

// runSandboxFlow runs image as the local gateway with the sandbox driver,
// as ECS would run it: a read-only root filesystem with only /tmp and the
// data directory writable, the image's non-root user. Through the
// published port it links an instance and sends a text; then it stops the
// container with SIGTERM, which the gateway must answer by exiting 0.
func runSandboxFlow(t *testing.T, podman tool, image, suffix string) {
	name := "wagateway-imagetest-" + suffix
	start := time.Now()
	podman.run("run", "--detach", "--name", name,
		"--read-only", "--read-only-tmpfs=false", "--tmpfs", "/tmp", "--tmpfs", "/data",
		"--ulimit", "nofile=20000:20000", "--ulimit", "nproc=4096:4096",
		"--env", "GATEWAY_ADDR=0.0.0.0:8080", "--env", "GATEWAY_DATA_DIR=/data",
		"--env", "GATEWAY_DRIVER=sandbox", "--env", "GATEWAY_LANE_DELAY_SCALE=0.01",
		"--publish", "127.0.0.1::8080", image)
	t.Cleanup(func() {
		if t.Failed() {
			// Keys made in a throwaway container, but keys all the same.
			logs, _ := podman.try("logs", name)
			t.Logf("container logs (keys redacted):\n%s", regexp.MustCompile(`\b(wg[ak]_)\S+`).ReplaceAllString(logs, "${1}…"))
		}
		_, err := podman.try("rm", "--force", name)
		require.NoError(t, err, "remove the test container")
	})
	addr := podman.run("port", name, "8080/tcp") // 127.0.0.1:<port>, chosen by podman
	gw := &gateway{t: t, base: "http://" + addr, client: &http.Client{Timeout: 10 * time.Second}}

	require.Eventually(t, func() bool {
		status, _, err := gw.do("GET", "/health", nil)
		return err == nil && status == http.StatusOK
	}, 30*time.Second, 50*time.Millisecond, "GET /health answers 200")
	healthy := time.Since(start)

	// The admin CLI beside the running gateway, on its data directory
	// (the container's GATEWAY_DATA_DIR), as the README's Quickstart does.
	gw.key = podman.run("exec", name, "/sessionhost", "admin", "key", "create", "demo", "--quiet")
	require.True(t, strings.HasPrefix(gw.key, "wgk_"), "admin key create --quiet prints only the key")

	// Its webhook target refuses connections: deliveries wait for retries,
	// which this flow does not need.
	gw.expect("POST", "/instance/create", map[string]any{"instanceName": instance,
		"webhookUrl": "http://127.0.0.1:9/hook", "webhookSecret": "a-secret-of-16-chars"}, http.StatusCreated)
	gw.expect("GET", "/instance/"+instance+"/qr", nil, http.StatusOK)
	gw.expect("POST", "/sandbox/"+instance+"/scan", map[string]any{"phoneNumber": "5491100000001"}, http.StatusOK)
	require.Eventually(t, func() bool {
		return gw.field("/instance/"+instance+"/status", "state") == "open"
	}, 15*time.Second, 20*time.Millisecond, "the instance opens")

	text := "hello from the image " + suffix
	id, _ := gw.object(gw.expect("POST", "/message/text",
		map[string]any{"instanceName": instance, "to": "5491112345678", "text": text, "lane": "urgent"}, http.StatusAccepted))["id"].(string)
	require.NotEmpty(t, id)
	require.Eventually(t, func() bool {
		status := gw.field("/message/"+id, "status")
		return status != "" && status != "pending"
	}, 30*time.Second, 20*time.Millisecond, "message %s settles", id)
	msg := gw.object(gw.expect("GET", "/message/"+id, nil, http.StatusOK))
	require.Equal(t, "sent", msg["status"], "%v", msg)

	var sent []struct {
		MessageID string `json:"messageId"`
		Text      string `json:"text"`
	}
	require.NoError(t, json.Unmarshal(gw.expect("GET", "/sandbox/"+instance+"/sent", nil, http.StatusOK), &sent))
	require.Len(t, sent, 1)
	require.Equal(t, id, sent[0].MessageID)
	require.Equal(t, text, sent[0].Text)
	flow := time.Since(start) - healthy

	// podman stop sends the image's stop signal, SIGTERM, and SIGKILL only
	// after --time: a clean exit is code 0 well before that.
	stopStart := time.Now()
	podman.run("stop", "--time", "30", name)
	stopped := time.Since(stopStart)
	require.Equal(t, "0", podman.run("inspect", "--format", "{{.State.ExitCode}}", name), "exit code after SIGTERM")
	require.Less(t, stopped, 10*time.Second, "the gateway stops promptly on SIGTERM")
	t.Logf("run: healthy %s after start, sandbox flow %s, stopped by SIGTERM in %s",
		healthy.Round(time.Millisecond), flow.Round(time.Millisecond), stopped.Round(time.Millisecond))
}

// gateway is the API of the running container, as the tenant demo.
type gateway struct {
	t      *testing.T
	base   string
	client *http.Client
	key    string
}

// do sends a request and returns the status and body. It does not fail
// the test, so polls (require.Eventually) may use it.
func (g *gateway) do(method, path string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, g.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("apikey", g.key)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := g.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	return res.StatusCode, out, err
}

// expect sends a request, requires the status and returns the body.
func (g *gateway) expect(method, path string, body any, status int) []byte {
	g.t.Helper()
	got, out, err := g.do(method, path, body)
	require.NoError(g.t, err, "%s %s", method, path)
	require.Equal(g.t, status, got, "%s %s: %s", method, path, out)
	return out
}

// field is one string field of a JSON object answered with 200 ("" if
// the request or the body is not that).
func (g *gateway) field(path, name string) string {
	status, out, err := g.do("GET", path, nil)
	var m map[string]any
	if err != nil || status != http.StatusOK || json.Unmarshal(out, &m) != nil {
		return ""
	}
	s, _ := m[name].(string)
	return s
}

func (g *gateway) object(b []byte) map[string]any {
	g.t.Helper()
	var m map[string]any
	require.NoError(g.t, json.Unmarshal(b, &m), "%s", b)
	return m
}
