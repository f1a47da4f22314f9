package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) {
	// The jsii kernel (Node.js) starts during package initialisation, so
	// JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20, which quiets its
	// warning about Node 20, must come from the environment (make
	// infra-test).
	code := m.Run()
	// jsii.Close stops the kernel and removes its extracted files (~2 MB
	// in the temporary directory). In jsii-runtime-go v1.139.0 it also
	// waits on the kernel process that a goroutine of its own waits on,
	// which the race detector reports: under -race the files stay.
	if !raceDetector {
		jsii.Close()
	}
	os.Exit(code)
}

const testStack = "Test"

// fixture is one synthesized stack: the CDK assertions template, the
// same template as plain JSON, and the cloud assembly's directory.
type fixture struct {
	shards     int
	hosts      int               // session host tasks per shard
	alarmEmail string            // AlarmEmail the stack was built with
	retention  int               // media retention days the stack has
	publicURL  string            // PublicURL the stack was built with
	in         GatewayStackProps // the props the stack was built with
	stack      awscdk.Stack
	tpl        assertions.Template
	res        map[string]resource // logical id → resource
	byPath     map[string]string   // construct path below the stack → logical id
	outdir     string
	template   map[string]any
}

type resource struct {
	Type       string         `json:"Type"`
	Properties map[string]any `json:"Properties"`
	Metadata   map[string]any `json:"Metadata"`
}

// placeholderCode is a Lambda code directory for tests: the real zips
// are built by `make build`, and none is committed.
func placeholderCode(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "bootstrap"), []byte("placeholder, not a binary\n"), 0o755))
	return dir
}

// fakeRepo is a repository root as `make build` leaves it, for the
// session host image: dist/host with the Dockerfile, a placeholder
// binary, passwd and group, and a README.md holding readme (a file of
// the repository the image must not depend on). It returns the root.
func fakeRepo(t *testing.T, readme string) string {
	t.Helper()
	root := t.TempDir()
	host := filepath.Join(root, "dist", "host")
	require.NoError(t, os.MkdirAll(host, 0o755))
	files := map[string]string{
		"Dockerfile":  "FROM scratch\nCOPY passwd group /etc/\nCOPY sessionhost /sessionhost\nUSER 65532:65532\nENTRYPOINT [\"/sessionhost\"]\n",
		"sessionhost": "placeholder, not a binary\n",
		"passwd":      "sessionhost:x:65532:65532::/:/sessionhost\n",
		"group":       "sessionhost:x:65532:\n",
	}
	require.Len(t, files, len(hostImageFiles()))
	for _, name := range hostImageFiles() {
		body, ok := files[name]
		require.True(t, ok, name)
		require.NoError(t, os.WriteFile(filepath.Join(host, name), []byte(body), 0o644))
	}
	require.NoError(t, os.WriteFile(filepath.Join(root, "README.md"), []byte(readme), 0o644))
	return root
}

// cdkJSONContext is the "context" of the repository's cdk.json (the
// feature flags): the CLI gives it to the app, so the tests do too, and
// check the template that deploys.
func cdkJSONContext(t *testing.T) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "cdk.json"))
	require.NoError(t, err)
	var cfg struct {
		Context map[string]any `json:"context"`
	}
	require.NoError(t, json.Unmarshal(raw, &cfg))
	require.NotEmpty(t, cfg.Context, "cdk.json has no context (feature flags)")
	return cfg.Context
}

// newTestApp is an app with cdk.json's context (and path metadata, which
// the fixture maps logical ids with) writing to a temporary directory;
// with nag, cdk-nag's AwsSolutions checks are applied to it as in main.
func newTestApp(t *testing.T, nag bool) awscdk.App {
	t.Helper()
	ctx := cdkJSONContext(t)
	ctx["aws:cdk:enable-path-metadata"] = true
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir()), Context: &ctx})
	if nag {
		awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{
			Verbose: jsii.Bool(true), Reports: jsii.Bool(false),
		}), nil)
	}
	return app
}

// testProps are the stack's props for tests: a fake repository's
// dist/host and placeholder Lambda code, the defaults main passes, and
// for more than one shard an alarm e-mail, a media retention of its own,
// a custom domain, non-default limits and no Container Insights.
func testProps(t *testing.T, shards int, repo string) GatewayStackProps {
	t.Helper()
	p := GatewayStackProps{
		Shards: shards, HostImageDir: filepath.Join(repo, "dist", "host"),
		APICode: placeholderCode(t), WebhooksCode: placeholderCode(t),
		APIConcurrency: defaultAPIConcurrency,
	}
	if shards > 1 {
		p.AlarmEmail, p.MediaRetentionDays, p.PublicURL = "ops@example.com", 7, "https://wa.example.com"
		p.HostCPU, p.HostMemoryMiB = 512, 2048
		p.APIConcurrency, p.APIRateLimit, p.APIBurstLimit, p.WebhookConcurrency = 0, 20, 40, 2
		p.NoContainerInsights = true
		p.HostsPerShard = 3
		p.LeaseTTLSeconds = 60
	}
	return p
}

// synth builds the stack with the given number of shards (testProps) in
// a fresh app.
func synth(t *testing.T, shards int) *fixture {
	t.Helper()
	return synthProps(t, newTestApp(t, false), testProps(t, shards, fakeRepo(t, "# repo\n")))
}

// synthProps builds the stack with props in app and reads its template.
func synthProps(t *testing.T, app awscdk.App, props GatewayStackProps) *fixture {
	t.Helper()
	stack, err := NewGatewayStack(app, testStack, props)
	require.NoError(t, err)
	retention := props.MediaRetentionDays
	if retention == 0 {
		retention = defaultMediaRetentionDays
	}
	f := &fixture{shards: props.Shards, hosts: max(props.HostsPerShard, 1), alarmEmail: props.AlarmEmail, retention: retention, publicURL: props.PublicURL,
		in: props, outdir: *app.Outdir(), stack: stack, res: map[string]resource{}, byPath: map[string]string{}}
	cdkAssert(t, func() { f.tpl = assertions.Template_FromStack(stack, nil) })

	raw, err := json.Marshal(f.tpl.ToJSON())
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &f.template))
	var parsed struct {
		Resources map[string]resource `json:"Resources"`
	}
	require.NoError(t, json.Unmarshal(raw, &parsed))
	f.res = parsed.Resources
	for id, r := range f.res {
		if p, ok := r.Metadata["aws:cdk:path"].(string); ok {
			f.byPath[strings.TrimPrefix(p, testStack+"/")] = id
		}
	}
	return f
}

// cdkAssert runs CDK assertions, which panic on failure, and turns the
// panic into a test failure with CDK's message.
func cdkAssert(t *testing.T, fn func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("CDK assertion failed: %v", r)
		}
	}()
	fn()
}

// id is the logical id of the construct at path below the stack
// ("Shard0/UrgentQueue/Resource").
func (f *fixture) id(t *testing.T, path string) string {
	t.Helper()
	id, ok := f.byPath[path]
	require.Truef(t, ok, "no resource at %s", path)
	return id
}

// props is the properties of the resource at path.
func (f *fixture) props(t *testing.T, path string) map[string]any {
	t.Helper()
	return f.res[f.id(t, path)].Properties
}

// ofType is the logical ids of the resources of type typ.
func (f *fixture) ofType(typ string) []string {
	var ids []string
	for id, r := range f.res {
		if r.Type == typ {
			ids = append(ids, id)
		}
	}
	return ids
}

// ref is CloudFormation's {"Ref": id}; getAtt its Fn::GetAtt.
func ref(id string) map[string]any { return map[string]any{"Ref": id} }
func getAtt(id, attr string) map[string]any {
	return map[string]any{"Fn::GetAtt": []any{id, attr}}
}

// statement is one IAM policy statement, Action and Resource normalised
// to lists.
type statement struct {
	Effect    string
	Actions   []string
	Resources []any
}

// policies is every statement of the AWS::IAM::Policy resources attached
// to the role at rolePath.
func (f *fixture) policies(t *testing.T, rolePath string) []statement {
	t.Helper()
	role := f.id(t, rolePath)
	var out []statement
	for _, id := range f.ofType("AWS::IAM::Policy") {
		p := f.res[id].Properties
		attached := false
		for _, r := range p["Roles"].([]any) {
			if fmt.Sprint(r) == fmt.Sprint(ref(role)) {
				attached = true
			}
		}
		if !attached {
			continue
		}
		for _, s := range p["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			sm := s.(map[string]any)
			st := statement{Effect: sm["Effect"].(string), Actions: actionList(sm["Action"])}
			if rs, ok := sm["Resource"].([]any); ok {
				st.Resources = rs
			} else {
				st.Resources = []any{sm["Resource"]}
			}
			out = append(out, st)
		}
	}
	require.NotEmptyf(t, out, "no policy attached to %s", rolePath)
	return out
}

// actionList is a statement's Action, a string or a list.
func actionList(v any) []string {
	switch a := v.(type) {
	case string:
		return []string{a}
	case []any:
		out := make([]string, 0, len(a))
		for _, x := range a {
			out = append(out, x.(string))
		}
		return out
	}
	return nil
}

// actionsOn is the actions the statements allow on a resource whose
// expression mentions the logical id target (its ARN, or an index of it).
func actionsOn(sts []statement, target string) map[string]bool {
	out := map[string]bool{}
	for _, s := range sts {
		for _, r := range s.Resources {
			b, _ := json.Marshal(r)
			if strings.Contains(string(b), `"`+target+`"`) {
				for _, a := range s.Actions {
					out[a] = true
				}
			}
		}
	}
	return out
}

// allActions is every action the statements allow.
func allActions(sts []statement) map[string]bool {
	out := map[string]bool{}
	for _, s := range sts {
		for _, a := range s.Actions {
			out[a] = true
		}
	}
	return out
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// envOf is a Lambda's environment variables.
func envOf(t *testing.T, fn map[string]any) map[string]any {
	t.Helper()
	env, ok := fn["Environment"].(map[string]any)["Variables"].(map[string]any)
	require.True(t, ok, "function has no environment")
	return env
}

// containerEnv is the environment of a task definition's only container.
func containerEnv(t *testing.T, task map[string]any) map[string]any {
	t.Helper()
	cs := task["ContainerDefinitions"].([]any)
	require.Len(t, cs, 1)
	out := map[string]any{}
	for _, e := range cs[0].(map[string]any)["Environment"].([]any) {
		em := e.(map[string]any)
		out[em["Name"].(string)] = em["Value"]
	}
	return out
}
