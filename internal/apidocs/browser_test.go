package apidocs_test

// The API reference in a real browser: Debian's Chromium, driven by
// playwright-core (testdata/docs.mjs), loads GET /docs from the gateway's
// HTTP handler on loopback, with the page's CSP enforced. What is checked:
// every operation and webhook of the OpenAPI document is on the page
// with its method, path and summary; nothing went to the console as an
// error; no CSP violation; no request left for anywhere but the gateway.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/httpapi"
)

// chromium is where Debian's package puts the browser.
const chromium = "/usr/bin/chromium"

// browserReport is what testdata/docs.mjs prints.
type browserReport struct {
	Requests      []string     `json:"requests"`
	Outside       []string     `json:"outside"`
	ConsoleErrors []string     `json:"consoleErrors"`
	PageErrors    []string     `json:"pageErrors"`
	CSP           []string     `json:"csp"`
	Status        int          `json:"status"`
	State         string       `json:"state"`
	Title         string       `json:"title"`
	Error         string       `json:"error"`
	Operations    []renderedOp `json:"operations"`
	Search        []string     `json:"search"` // the search results' menu ids
}

// renderedOp is one operation section of the rendered page.
type renderedOp struct {
	Section string `json:"section"` // Redoc's id: [tag/<tag>/]operation/<operationId>
	Method  string `json:"method"`
	Path    string `json:"path"`
	Summary string `json:"summary"`
}

// repoRoot is the module's root, two levels above this package.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	_, err = os.Stat(filepath.Join(root, "go.mod"))
	require.NoError(t, err, "module root")
	return root
}

// requireBrowser fails, with what to install, when the browser or the
// Node packages are missing: a test that skipped would pass unseen.
func requireBrowser(t *testing.T, root string) (node, nodePath string) {
	t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("%s is missing (%v): install Debian's Chromium, `apt-get install -y chromium`", chromium, err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node is not on PATH: install Node.js (`apt-get install -y nodejs npm`), then `make browser`")
	}
	nodePath = filepath.Join(root, ".cache", "browser", "node_modules")
	if _, err := os.Stat(filepath.Join(nodePath, "playwright-core", "package.json")); err != nil {
		t.Fatalf("playwright-core is missing from %s: run `make browser` (npm installs it there)", nodePath)
	}
	return node, nodePath
}

func TestBrowserRendersTheReference(t *testing.T) {
	root := repoRoot(t)
	node, nodePath := requireBrowser(t, root)

	srv := httptest.NewServer(httpapi.New(httpapi.Config{Log: slog.New(slog.NewTextHandler(io.Discard, nil))}))
	defer srv.Close()
	require.True(t, strings.HasPrefix(srv.URL, "http://127.0.0.1:"), "served on loopback: %s", srv.URL)

	outDir := filepath.Join(root, "test-output")
	require.NoError(t, os.MkdirAll(outDir, 0o755))
	shots := []string{filepath.Join(outDir, "api-reference.png")}
	if os.Getenv("WAGATEWAY_UPDATE_SCREENSHOTS") == "1" {
		shots = append(shots, filepath.Join(root, "docs", "screenshots", "api-reference.png"))
		require.NoError(t, os.MkdirAll(filepath.Dir(shots[1]), 0o755))
	}
	for _, s := range shots {
		_ = os.Remove(s) // a stale file must not pass for a new one
	}

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	args := append([]string{filepath.Join("testdata", "docs.mjs"), srv.URL + "/docs"}, shots...)
	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Env = append(os.Environ(), "NODE_PATH="+nodePath, "CHROMIUM="+chromium, "SHOT_AT=POST /message/text", "SEARCH=pairing code")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), "docs.mjs failed; stderr:\n%s", stderr.String())
	var rep browserReport
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &rep), "docs.mjs output: %s\nstderr: %s", stdout.String(), stderr.String())

	require.Empty(t, rep.Error, "the page did not finish rendering")
	require.Equal(t, 200, rep.Status)
	require.Equal(t, "ready", rep.State, "Redoc reported an error rendering /openapi.json")
	require.Equal(t, "WhatsApp Gateway API reference", rep.Title)
	require.Empty(t, rep.Outside, "requests that would have left the machine (blocked)")
	for _, u := range rep.Requests {
		require.True(t, strings.HasPrefix(u, srv.URL+"/"), "request to %s: only the gateway on loopback", u)
	}
	require.Contains(t, rep.Requests, srv.URL+"/openapi.json", "the page renders the served document")
	require.Empty(t, rep.ConsoleErrors, "console errors")
	require.Empty(t, rep.PageErrors, "uncaught exceptions")
	require.Empty(t, rep.CSP, "Content-Security-Policy violations")

	require.Empty(t, compareOperations(t, httpapi.OpenAPI(), rep.Operations))
	require.Contains(t, rep.Search, "tag/Instances/operation/requestPairingCode", "search works (its index runs in a worker)")

	for _, s := range shots {
		st, err := os.Stat(s)
		require.NoError(t, err, "screenshot %s", s)
		require.Greater(t, st.Size(), int64(10_000), "screenshot %s is not a blank page", s)
	}
}

// compareOperations lists the differences between the operations (and
// webhooks) of doc and those rendered: each must be shown, with its
// method, path and summary, and nothing else may be.
func compareOperations(t *testing.T, doc []byte, rendered []renderedOp) []string {
	t.Helper()
	type want struct{ method, path, summary string }
	var d struct {
		Paths    map[string]map[string]json.RawMessage `json:"paths"`
		Webhooks map[string]map[string]json.RawMessage `json:"webhooks"`
	}
	require.NoError(t, json.Unmarshal(doc, &d))
	wants := map[string]want{}
	add := func(items map[string]map[string]json.RawMessage, webhook bool) {
		for path, item := range items {
			for method, raw := range item {
				var op struct {
					OperationID string `json:"operationId"`
					Summary     string `json:"summary"`
				}
				if json.Unmarshal(raw, &op) != nil || op.OperationID == "" {
					continue // parameters, summary, description of the path
				}
				w := want{method: strings.ToUpper(method), path: path, summary: op.Summary}
				if webhook { // Redoc shows a webhook's name, not a method and path
					w.method, w.path = "", ""
				}
				wants[op.OperationID] = w
			}
		}
	}
	add(d.Paths, false)
	add(d.Webhooks, true)

	var problems []string
	shown := map[string]bool{}
	for _, r := range rendered {
		_, id, ok := strings.Cut(r.Section, "operation/")
		w, known := wants[id]
		switch {
		case !ok || !known:
			problems = append(problems, fmt.Sprintf("the page shows %q, which the document does not have", r.Section))
		case r.Method != w.method || r.Path != w.path:
			problems = append(problems, fmt.Sprintf("%s: shown as %q %q, want %q %q", r.Section, r.Method, r.Path, w.method, w.path))
		case !strings.HasPrefix(strings.TrimSpace(r.Summary), w.summary):
			problems = append(problems, fmt.Sprintf("%s: shown with title %q, want summary %q", r.Section, r.Summary, w.summary))
		default:
			shown[id] = true
		}
	}
	for id, w := range wants {
		if !shown[id] {
			problems = append(problems, fmt.Sprintf("operation %s (%s %s) is not on the page", id, w.method, w.path))
		}
	}
	sort.Strings(problems)
	return problems
}

// TestCompareOperationsCanFail: the comparison the browser test relies on
// reports what is missing, wrong or extra.
func TestCompareOperationsCanFail(t *testing.T) {
	doc := []byte(`{"paths": {"/a": {"parameters": [], "get": {"operationId": "getA", "summary": "Get A"},
		"post": {"operationId": "postA", "summary": "Post A"}}},
		"webhooks": {"a.done": {"post": {"operationId": "webhook_a_done", "summary": "a.done"}}}}`)
	all := []renderedOp{
		{Section: "tag/T/operation/getA", Method: "GET", Path: "/a", Summary: "Get A "},
		{Section: "operation/postA", Method: "POST", Path: "/a", Summary: "Post A"},
		{Section: "operation/webhook_a_done", Summary: "a.done  Webhook"},
	}
	require.Empty(t, compareOperations(t, doc, all))

	require.Equal(t, []string{"operation postA (POST /a) is not on the page"}, compareOperations(t, doc, []renderedOp{all[0], all[2]}), "missing")
	wrong := append([]renderedOp(nil), all...)
	wrong[1].Path = "/b"
	require.Len(t, compareOperations(t, doc, wrong), 2, "wrong path, so postA is not shown either")
	wrong = append([]renderedOp(nil), all...)
	wrong[0].Summary = "Something else"
	require.Len(t, compareOperations(t, doc, wrong), 2, "wrong summary")
	extra := append(append([]renderedOp(nil), all...), renderedOp{Section: "operation/ghost"})
	require.Len(t, compareOperations(t, doc, extra), 1, "not in the document")
}
