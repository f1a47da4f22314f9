package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// fakeAWS is an `aws` CLI that answers the calls preflight makes from
// environment variables, and logs every call to $FAKE_AWS_LOG.
const fakeAWS = `#!/usr/bin/env bash
echo "$*" >> "$FAKE_AWS_LOG"
case "$1 $2" in
  "sts get-caller-identity") [ -n "$FAKE_NO_CREDS" ] && { echo "Unable to locate credentials" >&2; exit 255; }; echo 123456789012 ;;
  "configure get") echo us-east-1 ;;
  "cloudformation describe-stacks") [ -n "$FAKE_NO_BOOTSTRAP" ] && { echo "does not exist" >&2; exit 254; }; echo UPDATE_COMPLETE ;;
  "iam get-role") [ -n "$FAKE_NO_ROLE" ] && exit 254; echo '{}' ;;
  "iam create-service-linked-role") echo '{}' ;;
  "lambda get-account-settings") printf '%s\t%s\n' "${FAKE_LIMIT:-1000}" "${FAKE_UNRESERVED:-1000}" ;;
  *) echo "fake aws: unexpected call: $*" >&2; exit 1 ;;
esac
`

func TestPreflight(t *testing.T) {
	script, err := filepath.Abs("scripts/preflight.sh")
	require.NoError(t, err)
	tests := []struct {
		name     string
		env      []string
		args     []string
		noDist   bool
		wantCode int
		want     []string // in the output
		wantCall string   // in the fake's call log
	}{
		{name: "ready", want: []string{"ok    CDK bootstrap", "ok    ECS service-linked role", "reserving 50 leaves 950", "ready to deploy"}},
		{name: "no credentials", env: []string{"FAKE_NO_CREDS=1"}, wantCode: 2, want: []string{"no usable AWS credentials"}},
		{name: "not bootstrapped", env: []string{"FAKE_NO_BOOTSTRAP=1"}, wantCode: 1,
			want: []string{"not bootstrapped", "make bootstrap", "1 problem(s)"}},
		{name: "no ECS role", env: []string{"FAKE_NO_ROLE=1"}, wantCode: 1, want: []string{"no ECS service-linked role"}},
		{name: "no ECS role, fixed", env: []string{"FAKE_NO_ROLE=1"}, args: []string{"--fix"},
			want: []string{"ECS service-linked role created", "ready to deploy"}, wantCall: "iam create-service-linked-role --aws-service-name ecs.amazonaws.com"},
		{name: "new account's concurrency quota", env: []string{"FAKE_LIMIT=10", "FAKE_UNRESERVED=10"}, wantCode: 1,
			want: []string{"has 10 unreserved (limit 10)", "L-B99A9384", "apiConcurrency=0"}},
		{name: "a smaller reservation fits", env: []string{"FAKE_UNRESERVED=130", "CONTEXT=-c apiConcurrency=30"},
			want: []string{"reserving 30 leaves 100", "ready to deploy"}},
		{name: "no reservation", env: []string{"FAKE_LIMIT=10", "FAKE_UNRESERVED=10", "CONTEXT=-c apiConcurrency=0"},
			want: []string{"no reservation asked", "ready to deploy"}},
		{name: "not built", noDist: true, wantCode: 1, want: []string{"dist/host/sessionhost is missing: run `make build`"}},
		{name: "no container builder", env: []string{"CDK_DOCKER=no-such-builder"}, wantCode: 1, want: []string{"no container builder"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			bin := filepath.Join(dir, "bin")
			require.NoError(t, os.MkdirAll(bin, 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(bin, "aws"), []byte(fakeAWS), 0o755))
			// A builder that exists: preflight only looks it up.
			require.NoError(t, os.WriteFile(filepath.Join(bin, "fake-builder"), []byte("#!/bin/sh\n"), 0o755))
			if !tc.noDist {
				for _, f := range []string{"dist/api.zip", "dist/webhooks.zip", "dist/host/Dockerfile", "dist/host/sessionhost"} {
					require.NoError(t, os.MkdirAll(filepath.Join(dir, filepath.Dir(f)), 0o755))
					require.NoError(t, os.WriteFile(filepath.Join(dir, f), nil, 0o644))
				}
			}
			log := filepath.Join(dir, "calls.log")
			cmd := exec.Command("bash", append([]string{script}, tc.args...)...)
			cmd.Dir = dir
			cmd.Env = append([]string{"PATH=" + bin + ":/usr/bin:/bin", "FAKE_AWS_LOG=" + log, "CDK_DOCKER=fake-builder",
				"AWS_REGION=", "AWS_DEFAULT_REGION="}, tc.env...)
			out, err := cmd.CombinedOutput()
			code := 0
			if err != nil {
				var exit *exec.ExitError
				require.ErrorAs(t, err, &exit, "%s", out)
				code = exit.ExitCode()
			}
			require.Equal(t, tc.wantCode, code, "%s", out)
			for _, w := range tc.want {
				require.Contains(t, string(out), w)
			}
			if tc.wantCall != "" {
				calls, err := os.ReadFile(log)
				require.NoError(t, err)
				require.Contains(t, string(calls), tc.wantCall)
			}
			// It never changes anything without --fix.
			if calls, err := os.ReadFile(log); err == nil && len(tc.args) == 0 {
				require.False(t, strings.Contains(string(calls), "create-service-linked-role"), "%s", calls)
			}
		})
	}
}
