package main

import (
	"database/sql"
	"net/http"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/testbin"
)

// heldLaneMessages counts the lane messages some process holds (received,
// not yet deleted, still invisible), read from the data directory's
// database beside the running gateway.
func heldLaneMessages(t *testing.T, dataDir string) int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dataDir, "gateway.db")+"?mode=ro")
	require.NoError(t, err)
	defer db.Close()
	var n int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM queue_messages
		WHERE receipt IS NOT NULL AND visible_at > ?`, time.Now().UnixMilli()).Scan(&n))
	return n
}

// TestKill9UrgentSendsWithinSeconds: a gateway killed while it held a lane
// message (waiting out its delay) used to leave it invisible for its whole
// visibility timeout (60 s), and the instance's lane blocked behind it.
// The next start releases what the dead process held: both the held
// message and an urgent one sent after the restart go out within seconds.
func TestKill9UrgentSendsWithinSeconds(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the gateway binary")
	}
	dir := t.TempDir()
	bin := testbin.Build(t, ".", dir, "sessionhost")
	dataDir := filepath.Join(dir, "data")
	realDelays := "GATEWAY_LANE_DELAY_SCALE=1" // urgent waits 1–2 s: long enough to kill it mid-wait

	p, key := startProcess(t, bin, dataDir, realDelays)
	require.NotEmpty(t, key)
	g := &gw{t: t, base: "http://" + p.addr, client: &http.Client{Timeout: 10 * time.Second}}
	g.checker = startGatewayChecker(t)
	name := "demo__c__main"
	g.newInstance(key, name)
	g.link(key, name, "5491100000001")
	send := func(text string) string {
		r := g.do("POST", "/message/text", map[string]any{"instanceName": name, "to": "5491112345678",
			"text": text, "lane": "urgent"}, as(key)...)
		require.Equal(t, http.StatusAccepted, r.Status, string(r.Body))
		return r.JSON(t)["id"].(string)
	}
	first := send("held when the process dies")
	require.Eventually(t, func() bool { return heldLaneMessages(t, dataDir) == 1 }, 10*time.Second, 5*time.Millisecond,
		"the host holds the message while it waits out the urgent delay")
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGKILL))
	_, _ = p.cmd.Process.Wait()
	require.Equal(t, "pending", g.statusAfterKill(dataDir, first))

	p2, _ := startProcess(t, bin, dataDir, realDelays)
	g.base = "http://" + p2.addr
	second := send("after the restart")
	for _, id := range []string{first, second} {
		m := g.waitMessage(key, id) // 15 s at most, against the 60 s visibility
		require.Equal(t, "sent", m["status"], "message %s", id)
	}
}

// statusAfterKill reads a message's status from the database of a stopped
// gateway.
func (g *gw) statusAfterKill(dataDir, id string) string {
	g.t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dataDir, "gateway.db")+"?mode=ro")
	require.NoError(g.t, err)
	defer db.Close()
	var status string
	require.NoError(g.t, db.QueryRow(`SELECT status FROM messages WHERE id = ?`, id).Scan(&status))
	return status
}
