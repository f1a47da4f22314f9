package main

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/token"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func checkMediaBucket(t *testing.T, f *fixture) {
	id := f.id(t, "MediaBucket/Resource")
	b := f.res[id].Properties
	require.Equal(t, map[string]any{"ServerSideEncryptionConfiguration": []any{
		map[string]any{"ServerSideEncryptionByDefault": map[string]any{"SSEAlgorithm": "AES256"}},
	}}, b["BucketEncryption"], "SSE-S3")
	require.Equal(t, map[string]any{"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true,
		"RestrictPublicBuckets": true}, b["PublicAccessBlockConfiguration"])
	require.Equal(t, map[string]any{"Rules": []any{map[string]any{"ObjectOwnership": "BucketOwnerEnforced"}}}, b["OwnershipControls"])
	require.Nil(t, b["VersioningConfiguration"], "no versions: deleted media must be gone")
	require.Nil(t, b["BucketName"], "a generated name: bucket names are global")
	require.ElementsMatch(t, []any{
		map[string]any{"Id": "ExpireMedia", "Prefix": "media/", "ExpirationInDays": float64(f.retention), "Status": "Enabled"},
		map[string]any{"Id": "ExpireStaging", "Prefix": "staging/", "ExpirationInDays": float64(1), "Status": "Enabled"},
		map[string]any{"Id": "AbortIncompleteUploads", "AbortIncompleteMultipartUpload": map[string]any{"DaysAfterInitiation": float64(1)},
			"Status": "Enabled"},
	}, b["LifecycleConfiguration"].(map[string]any)["Rules"])
	// Customer data survives the stack, as the tables do; and no
	// auto-delete custom resource.
	require.Equal(t, "Retain", jsonField(t, f, id, "DeletionPolicy"))
	require.Equal(t, "Retain", jsonField(t, f, id, "UpdateReplacePolicy"))
	require.Empty(t, f.ofType("Custom::S3AutoDeleteObjects"))

	// TLS only: the bucket policy denies every request over plain HTTP,
	// to the bucket and its objects.
	p := f.props(t, "MediaBucket/Policy/Resource")
	require.Equal(t, ref(id), p["Bucket"])
	var tlsOnly bool
	for _, s := range p["PolicyDocument"].(map[string]any)["Statement"].([]any) {
		sm := s.(map[string]any)
		cond, _ := json.Marshal(sm["Condition"])
		if sm["Effect"] == "Deny" && string(cond) == `{"Bool":{"aws:SecureTransport":"false"}}` {
			require.Equal(t, "s3:*", sm["Action"])
			require.Equal(t, []any{getAtt(id, "Arn"), objectsArn(id, "*")}, sm["Resource"])
			tlsOnly = true
		}
		require.NotEqual(t, "Allow", sm["Effect"], "the bucket policy grants nothing; roles do")
	}
	require.True(t, tlsOnly, "no TLS-only statement")
}

// checkMediaGrants: the session hosts write under media/ and staging/
// only what s3media does; the API only reads media/ (and may list, so
// that a missing key is 404); the webhooks Lambda has no access.
func checkMediaGrants(t *testing.T, f *fixture) {
	bucket := f.id(t, "MediaBucket/Resource")
	prefixes := `{"StringLike":{"s3:prefix":["media/*","staging/*"]}}`
	for s := range f.shards {
		role := fmt.Sprintf("Shard%d/HostTask/TaskRole/Resource", s)
		require.Equal(t, []string{
			"s3:AbortMultipartUpload on /staging/*",
			"s3:DeleteObject on /media/*",
			"s3:DeleteObject on /staging/*",
			"s3:GetObject on /staging/*",
			"s3:ListBucket on bucket if " + prefixes,
			"s3:PutObject on /media/*",
			"s3:PutObject on /staging/*",
		}, bucketGrants(t, f, role, bucket), role)
	}
	require.Equal(t, []string{
		"s3:GetObject on /media/*",
		"s3:ListBucket on bucket",
	}, bucketGrants(t, f, "ApiFunctionRole/Resource", bucket))
	require.Empty(t, bucketGrants(t, f, "WebhooksFunctionRole/Resource", bucket))
}

// bucketGrants lists, sorted, what the policies of the role at rolePath
// allow on the bucket: "action on bucket" or "action on /prefix*", with
// " if <condition>" when there is one.
func bucketGrants(t *testing.T, f *fixture, rolePath, bucket string) []string {
	t.Helper()
	role := ref(f.id(t, rolePath))
	out := []string{}
	for _, id := range f.ofType("AWS::IAM::Policy") {
		p := f.res[id].Properties
		if !strings.Contains(fmt.Sprint(p["Roles"]), fmt.Sprint(role)) {
			continue
		}
		for _, s := range p["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			sm := s.(map[string]any)
			require.Equal(t, "Allow", sm["Effect"])
			rs, ok := sm["Resource"].([]any)
			if !ok {
				rs = []any{sm["Resource"]}
			}
			for _, r := range rs {
				b, _ := json.Marshal(r)
				if !strings.Contains(string(b), `"`+bucket+`"`) {
					continue
				}
				on := "bucket"
				if fmt.Sprint(r) != fmt.Sprint(getAtt(bucket, "Arn")) {
					join := r.(map[string]any)["Fn::Join"].([]any)[1].([]any)
					require.Len(t, join, 2, "%s", b)
					require.Equal(t, getAtt(bucket, "Arn"), join[0])
					on = join[1].(string)
				}
				suffix := ""
				if sm["Condition"] != nil {
					c, _ := json.Marshal(sm["Condition"])
					suffix = " if " + string(c)
				}
				for _, a := range actionList(sm["Action"]) {
					out = append(out, a+" on "+on+suffix)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// objectsArn is the ARN of the bucket id's objects matching pattern.
func objectsArn(id, pattern string) map[string]any {
	return map[string]any{"Fn::Join": []any{"", []any{getAtt(id, "Arn"), "/" + pattern}}}
}

// publicURL is what the session hosts get as GATEWAY_PUBLIC_URL: the
// custom domain the stack was given, else the HTTP API's own URL.
func publicURL(t *testing.T, f *fixture) any {
	t.Helper()
	if f.publicURL != "" {
		return f.publicURL
	}
	return map[string]any{"Fn::Join": []any{"", []any{
		"https://", ref(f.id(t, "HttpApi/Resource")), ".execute-api.", ref("AWS::Region"), ".", ref("AWS::URLSuffix"), "/",
	}}}
}

// checkNoCycle: CloudFormation refuses a template whose resources depend
// on each other in a circle; the session hosts' GATEWAY_PUBLIC_URL (the
// HTTP API's URL) must not close one through the API, which is built on
// shard 0's queues and the media bucket.
func checkNoCycle(t *testing.T, f *fixture) {
	resources := f.template["Resources"].(map[string]any)
	deps := map[string][]string{}
	for id, r := range resources {
		rm := r.(map[string]any)
		var found []string
		refs(rm["Properties"], &found)
		switch d := rm["DependsOn"].(type) {
		case string:
			found = append(found, d)
		case []any:
			for _, x := range d {
				found = append(found, x.(string))
			}
		}
		for _, d := range found {
			if _, ok := resources[d]; ok {
				deps[id] = append(deps[id], d)
			}
		}
	}
	const (
		unseen = iota
		open
		done
	)
	state := map[string]int{}
	var visit func(id string, path []string)
	visit = func(id string, path []string) {
		switch state[id] {
		case open:
			t.Fatalf("dependency cycle: %s -> %s", strings.Join(path, " -> "), id)
		case done:
			return
		}
		state[id] = open
		for _, d := range deps[id] {
			visit(d, append(path, id))
		}
		state[id] = done
	}
	for id := range resources {
		visit(id, nil)
	}
	// The edge this check is about is there: a session host's task
	// depends on the HTTP API (when no custom domain is given).
	if f.publicURL == "" {
		require.Contains(t, deps[f.id(t, "Shard0/HostTask/Resource")], f.id(t, "HttpApi/Resource"))
	}
}

// refs collects the logical ids v refers to (Ref, Fn::GetAtt, and
// ${Id} / ${Id.Attr} in Fn::Sub).
func refs(v any, out *[]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			switch k {
			case "Ref":
				if s, ok := e.(string); ok {
					*out = append(*out, s)
					continue
				}
			case "Fn::GetAtt":
				if l, ok := e.([]any); ok && len(l) > 0 {
					if s, ok := l[0].(string); ok {
						*out = append(*out, s)
						continue
					}
				}
			case "Fn::Sub":
				var tmpl string
				switch s := e.(type) {
				case string:
					tmpl = s
				case []any:
					tmpl, _ = s[0].(string)
				}
				for _, part := range strings.Split(tmpl, "${")[1:] {
					name, _, _ := strings.Cut(part, "}")
					name, _, _ = strings.Cut(name, ".")
					*out = append(*out, name)
				}
			}
			refs(e, out)
		}
	case []any:
		for _, e := range x {
			refs(e, out)
		}
	}
}

// TestMediaMatchesApp checks what media.go duplicates from the
// application: the key prefixes of internal/s3media (which the lifecycle
// rules and grants name) and the retention's default and bounds of
// internal/config.
func TestMediaMatchesApp(t *testing.T) {
	_, consts := sourceFile(t, "internal/s3media/store.go")
	require.Equal(t, consts["mediaPrefix"], mediaPrefix)
	require.Equal(t, consts["stagingPrefix"], stagingPrefix)

	f, _ := sourceFile(t, "internal/config/config.go")
	ints := map[string]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		if vs, ok := n.(*ast.ValueSpec); ok {
			for i, name := range vs.Names {
				if i < len(vs.Values) {
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.INT {
						ints[name.Name] = lit.Value
					}
				}
			}
		}
		return true
	})
	require.Equal(t, strconv.Itoa(defaultMediaRetentionDays), ints["DefaultMediaRetentionDays"])
	require.Equal(t, strconv.Itoa(maxMediaRetentionDays), ints["MaxMediaRetentionDays"])
}
