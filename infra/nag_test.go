package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/jsii-runtime-go"
	"github.com/stretchr/testify/require"
)

// nagFindings is every unsuppressed cdk-nag AwsSolutions finding of
// stack, errors and warnings, as "level path: rule: message" lines,
// sorted.
//
// With cdk.json's @aws-cdk/core:annotationsInValidationReport and
// validateAgainstDefaultRules, an error annotation fails the synthesis
// itself (as `cdk synth` then fails), before any annotation can be read:
// the findings are then read from the validation report it names.
func nagFindings(t *testing.T, stack awscdk.Stack) (out []string) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			out = append(out, validationReport(t, fmt.Sprint(r))...)
			sort.Strings(out)
		}
	}()
	a := assertions.Annotations_FromStack(stack)
	rule := assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*"))
	for level, found := range map[string]*[]*cxapi.SynthesisMessage{
		"error":   a.FindError(jsii.String("*"), rule),
		"warning": a.FindWarning(jsii.String("*"), rule),
	} {
		for _, m := range *found {
			out = append(out, fmt.Sprintf("%s %s: %s", level, *m.Id, firstLine(fmt.Sprint(m.Entry.Data))))
		}
	}
	sort.Strings(out)
	return out
}

// firstLine is a verbose finding's first line (rule and summary; the
// explanation follows).
func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}

// validationReport reads the AwsSolutions violations of the validation
// report a failed synthesis names in its panic message; a failure that
// names no report fails the test with the message.
func validationReport(t *testing.T, panicMsg string) []string {
	t.Helper()
	const marker = "can be found in: "
	i := strings.Index(panicMsg, marker)
	require.GreaterOrEqualf(t, i, 0, "synthesis failed: %s", panicMsg)
	raw, err := os.ReadFile(strings.TrimSpace(panicMsg[i+len(marker):]))
	require.NoError(t, err)
	var report struct {
		PluginReports []struct {
			Violations []struct {
				Description string `json:"description"`
				Severity    string `json:"severity"`
				Constructs  []struct {
					Path string `json:"constructPath"`
				} `json:"violatingConstructs"`
			} `json:"violations"`
		} `json:"pluginReports"`
	}
	require.NoError(t, json.Unmarshal(raw, &report))
	var out []string
	for _, p := range report.PluginReports {
		for _, v := range p.Violations {
			for _, c := range v.Constructs {
				if strings.HasPrefix(v.Description, "AwsSolutions-") {
					out = append(out, fmt.Sprintf("%s /%s: %s", v.Severity, c.Path, firstLine(v.Description)))
				}
			}
		}
	}
	require.NotEmptyf(t, out, "synthesis failed without cdk-nag findings: %s", panicMsg)
	return out
}

// TestNag runs cdk-nag's AwsSolutions checks, as main does, on the real
// stack with one and three shards: every finding is fixed or suppressed
// next to its resource with the reason (README.md, "cdk-nag").
func TestNag(t *testing.T) {
	for _, shards := range []int{1, 3} {
		t.Run(fmt.Sprintf("shards=%d", shards), func(t *testing.T) {
			app := newTestApp(t, true)
			stack, err := NewGatewayStack(app, testStack, testProps(t, shards, fakeRepo(t, "")))
			require.NoError(t, err)
			findings := nagFindings(t, stack)
			require.Emptyf(t, findings, "unsuppressed cdk-nag findings (fix them, or suppress next to the resource with a reason):\n%s",
				strings.Join(findings, "\n"))
		})
	}
}

// TestNagReports checks TestNag's own instrument: a queue without a DLQ
// or TLS policy, added to the stack, is reported (so an empty list means
// clean, not "the checks did not run").
func TestNagReports(t *testing.T) {
	app := newTestApp(t, true)
	stack, err := NewGatewayStack(app, testStack, testProps(t, 1, fakeRepo(t, "")))
	require.NoError(t, err)
	awssqs.NewQueue(stack, jsii.String("Canary"), nil)
	findings := nagFindings(t, stack)
	require.NotEmpty(t, findings)
	for _, f := range findings {
		require.Contains(t, f, "/Canary/", "only the canary is reported")
	}
	require.Contains(t, strings.Join(findings, "\n"), "AwsSolutions-SQS3")
}
