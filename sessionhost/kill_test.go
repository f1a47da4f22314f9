package main

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/testbin"
)

// process is the gateway binary running as a child process.
type process struct {
	cmd  *exec.Cmd
	addr string
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().String()
}

// startProcess runs bin on dataDir and waits until it answers /health; it
// returns the demo key when the process printed one. env entries
// (NAME=value) override the defaults.
func startProcess(t *testing.T, bin, dataDir string, env ...string) (*process, string) {
	t.Helper()
	addr := freeAddr(t)
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "GATEWAY_ADDR="+addr, "GATEWAY_DATA_DIR="+dataDir, "GATEWAY_DRIVER=sandbox",
		"GATEWAY_ADMIN_KEY="+testAdminKey, "GATEWAY_LANE_DELAY_SCALE=0.01", "GATEWAY_RATE_LIMIT=0")
	cmd.Env = append(cmd.Env, env...) // exec keeps the last value of a name
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	keys := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`^\s+(wgk_\S+)$`)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				keys <- m[1]
			}
		}
	}()
	require.Eventually(t, func() bool {
		res, err := http.Get("http://" + addr + "/health")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	}, 30*time.Second, 20*time.Millisecond)
	select {
	case k := <-keys:
		return &process{cmd: cmd, addr: addr}, k
	case <-time.After(200 * time.Millisecond):
		return &process{cmd: cmd, addr: addr}, ""
	}
}

// TestKill9LosesNoEvent: kill -9 the gateway while deliveries are pending;
// after a restart every event is delivered (duplicates allowed, loss not).
func TestKill9LosesNoEvent(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the gateway binary")
	}
	dir := t.TempDir()
	bin := testbin.Build(t, ".", dir, "sessionhost")
	dataDir := filepath.Join(dir, "data")

	h := newHook(t, "a-secret-of-16-chars")
	h.set(0, true) // down: everything stays pending
	p, key := startProcess(t, bin, dataDir)
	require.NotEmpty(t, key)
	g := &gw{t: t, base: "http://" + p.addr, client: &http.Client{Timeout: 10 * time.Second}}
	g.checker = startGatewayChecker(t)
	name := "demo__c__main"
	g.instanceWithHook(key, name, h)
	g.link(key, name, "5491100000001")
	var ids []string
	for i := range 10 {
		r := g.do("POST", "/message/text", map[string]any{"instanceName": name, "to": "5491112345678", "text": fmt.Sprint("m", i), "lane": "urgent"}, as(key)...)
		ids = append(ids, r.JSON(t)["id"].(string))
	}
	for _, id := range ids {
		require.Equal(t, "sent", g.waitMessage(key, id)["status"])
	}
	require.Eventually(t, func() bool { return len(h.events()) > 0 }, 10*time.Second, 10*time.Millisecond,
		"attempts were made (and refused) before the kill")
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGKILL))
	_, _ = p.cmd.Process.Wait()

	h.set(0, false)
	p2, _ := startProcess(t, bin, dataDir)
	_ = p2
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	require.Eventually(t, func() bool {
		connected, sent := false, map[string]bool{}
		for _, r := range h.events() {
			if r.event == "instance.connected" {
				connected = true
			}
			if r.event == "message.sent" {
				sent[r.body["data"].(map[string]any)["id"].(string)] = true
			}
		}
		if !connected {
			return false
		}
		for id := range want {
			if !sent[id] {
				return false
			}
		}
		return true
	}, 60*time.Second, 50*time.Millisecond, "every event delivered after the restart")
}
