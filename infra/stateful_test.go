package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite testdata/stateful.json from the synthesized stack")

// statefulGolden pins the stack's stateful resources.
const statefulGolden = "testdata/stateful.json"

// replacementProps are, per stateful resource type, the properties whose
// change makes CloudFormation replace the resource (a new, empty one; the
// old one retained or deleted): the logical id itself, and these.
func replacementProps() map[string][]string {
	return map[string][]string{
		// AttributeDefinitions is pinned for the key attributes only
		// (keyAttributeTypes); an index's attributes change in place.
		"AWS::DynamoDB::Table":        {"TableName", "KeySchema", "LocalSecondaryIndexes"},
		"AWS::S3::Bucket":             {"BucketName"},
		"AWS::SQS::Queue":             {"QueueName", "FifoQueue"},
		"AWS::SecretsManager::Secret": {"Name"},
		"AWS::Logs::LogGroup":         {"LogGroupName"},
		// The alarm topic holds no data, but its subscribers (the e-mail
		// confirmed by hand, those added outside the stack) go with it.
		"AWS::SNS::Topic": {"TopicName", "FifoTopic"},
	}
}

// pinned is one stateful resource as the golden file records it.
type pinned struct {
	Type           string         `json:"type"`
	DeletionPolicy string         `json:"deletionPolicy"`
	Properties     map[string]any `json:"properties"` // replacement-forcing; null when not set
}

// statefulResources is the stack's stateful resources by logical id.
func statefulResources(f *fixture) map[string]pinned {
	out := map[string]pinned{}
	for id, r := range f.res {
		names, ok := replacementProps()[r.Type]
		if !ok {
			continue
		}
		p := pinned{Type: r.Type, Properties: map[string]any{}}
		p.DeletionPolicy, _ = f.template["Resources"].(map[string]any)[id].(map[string]any)["DeletionPolicy"].(string)
		for _, name := range names {
			p.Properties[name] = r.Properties[name]
		}
		if r.Type == "AWS::DynamoDB::Table" {
			p.Properties["KeyAttributeTypes"] = keyAttributeTypes(r.Properties)
		}
		out[id] = p
	}
	return out
}

// keyAttributeTypes is a table's key attributes' types (name → S or N).
func keyAttributeTypes(table map[string]any) map[string]any {
	keys := map[string]bool{}
	for _, k := range table["KeySchema"].([]any) {
		keys[k.(map[string]any)["AttributeName"].(string)] = true
	}
	out := map[string]any{}
	for _, d := range table["AttributeDefinitions"].([]any) {
		dm := d.(map[string]any)
		if name := dm["AttributeName"].(string); keys[name] {
			out[name] = dm["AttributeType"]
		}
	}
	return out
}

// TestStatefulPinned fails when a change would replace (or drop) a
// stateful resource: a table, bucket, queue, secret, log group or the
// alarm topic whose logical id, or a property that forces replacement,
// differs from testdata/stateful.json. With -update it rewrites the file.
func TestStatefulPinned(t *testing.T) {
	got := statefulResources(synth(t, 2))
	if *update {
		b, err := json.MarshalIndent(got, "", "  ")
		require.NoError(t, err)
		require.NoError(t, os.MkdirAll(filepath.Dir(statefulGolden), 0o755))
		require.NoError(t, os.WriteFile(statefulGolden, append(b, '\n'), 0o644))
		t.Logf("rewrote %s (%d resources)", statefulGolden, len(got))
		return
	}
	raw, err := os.ReadFile(statefulGolden)
	require.NoError(t, err, "run `go test -run TestStatefulPinned -update` once to create it")
	var want map[string]pinned
	require.NoError(t, json.Unmarshal(raw, &want))
	// Through JSON, as the golden file was, so numbers and nulls compare.
	b, err := json.Marshal(got)
	require.NoError(t, err)
	got = nil
	require.NoError(t, json.Unmarshal(b, &got))

	var problems []string
	for _, id := range sortedIDs(want) {
		w := want[id]
		g, ok := got[id]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("%s (%s) is gone: its logical id changed or it was removed", id, w.Type))
		case g.Type != w.Type:
			problems = append(problems, fmt.Sprintf("%s: type %s, was %s", id, g.Type, w.Type))
		default:
			for _, name := range sortedIDs(w.Properties) {
				gb, _ := json.Marshal(g.Properties[name])
				wb, _ := json.Marshal(w.Properties[name])
				if string(gb) != string(wb) {
					problems = append(problems, fmt.Sprintf("%s (%s): %s is %s, was %s", id, w.Type, name, gb, wb))
				}
			}
			if g.DeletionPolicy != w.DeletionPolicy {
				problems = append(problems, fmt.Sprintf("%s (%s): DeletionPolicy %q, was %q", id, w.Type, g.DeletionPolicy, w.DeletionPolicy))
			}
		}
	}
	for _, id := range sortedIDs(got) {
		if _, ok := want[id]; !ok {
			problems = append(problems, fmt.Sprintf("%s (%s) is new and not pinned", id, got[id].Type))
		}
	}
	require.Emptyf(t, problems, "%s\n\n"+
		"This replaces a stateful resource: a new table loses the gateway's state or the device keys (every phone must "+
		"re-pair), a new queue or DLQ loses the messages it holds, a new secret a new operator key, a new bucket the "+
		"media, a new topic its confirmed subscribers. If that is intended (or a resource was added), update the golden "+
		"file with `go test -run TestStatefulPinned -update` and say so in the commit.",
		strings.Join(problems, "\n"))
}

// sortedIDs is m's keys, sorted: problems are listed in a stable order.
func sortedIDs[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
