package gateway_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/message"
)

// TestForbiddenSaysWhatToDo: a 403 for another tenant's instance name
// tells the caller which prefix its names need, and reads the same
// whether or not that instance exists.
func TestForbiddenSaysWhatToDo(t *testing.T) {
	svc, _, _, _ := newService(t, true)
	ctx := context.Background()
	_, err := svc.CreateTenant(ctx, "beta")
	require.NoError(t, err)
	_, err = svc.CreateInstance(ctx, "beta", gateway.CreateInstanceInput{InstanceName: "beta__c__main",
		WebhookURL: "https://hooks.example.com/x", WebhookSecret: "0123456789abcdef"})
	require.NoError(t, err)
	const want = `This key belongs to tenant "acme": instance names must start with "acme__"`
	hook := gateway.WebhookInput{WebhookURL: "https://hooks.example.com/y", WebhookSecret: "0123456789abcdef"}
	for _, name := range []string{"beta__c__main", "beta__c__missing"} {
		calls := map[string]func() error{
			"create": func() error {
				_, err := svc.CreateInstance(ctx, "acme", gateway.CreateInstanceInput{InstanceName: name,
					WebhookURL: hook.WebhookURL, WebhookSecret: hook.WebhookSecret})
				return err
			},
			"get":            func() error { _, err := svc.Instance(ctx, "acme", name); return err },
			"queue":          func() error { _, err := svc.Queue(ctx, "acme", name); return err },
			"flush":          func() error { _, err := svc.FlushQueue(ctx, "acme", name); return err },
			"webhook":        func() error { _, err := svc.SetWebhook(ctx, "acme", name, hook); return err },
			"webhook config": func() error { _, err := svc.Webhook(ctx, "acme", name); return err },
			"delete":         func() error { _, err := svc.DeleteInstance(ctx, "acme", name); return err },
			"send": func() error {
				in := gateway.SendInput{InstanceName: name, To: "5491112345678", Type: message.Text, Content: message.Content{Text: "x"}}
				_, _, err := svc.Send(ctx, "acme", in, "")
				return err
			},
		}
		for call, f := range calls {
			t.Run(name+" "+call, func(t *testing.T) {
				err := f()
				require.ErrorIs(t, err, fault.ErrForbidden)
				require.Equal(t, want, err.Error())
			})
		}
	}
	in := gateway.ClientSendInput{TenantID: "beta", ClientID: "c",
		SendInput: gateway.SendInput{To: "5491112345678", Type: message.Text, Content: message.Content{Text: "x"}}}
	_, _, err = svc.SendToClient(ctx, "acme", in, "")
	require.ErrorIs(t, err, fault.ErrForbidden)
	require.Equal(t, `This key belongs to tenant "acme": tenantId must be "acme"`, err.Error())
}

// TestNameFormatSaysWhatIsAllowed: the instance-name issue keeps the
// contract's wording and then spells the rule out.
func TestNameFormatSaysWhatIsAllowed(t *testing.T) {
	svc, _, _, _ := newService(t, true)
	ctx := context.Background()
	for _, name := range []string{"bad", "acme__C__x", "acme_c_x"} {
		_, err := svc.CreateInstance(ctx, "acme", gateway.CreateInstanceInput{InstanceName: name,
			WebhookURL: "https://hooks.example.com/x", WebhookSecret: "0123456789abcdef"})
		var v *fault.ValidationError
		require.ErrorAs(t, err, &v)
		require.Equal(t, []any{"instanceName"}, v.Issues[0].Path)
		msg := v.Issues[0].Message
		require.True(t, strings.HasPrefix(msg, "Must follow {tenant}__{client}__{label} format"), msg)
		for _, part := range []string{"lower-case letters, digits", "hyphen", "1-32", "starting with a letter or digit", "two underscores", "acme__"} {
			require.Contains(t, msg, part)
		}
		_, err = svc.Instance(ctx, "acme", name)
		require.ErrorAs(t, err, &v)
		require.Equal(t, msg, v.Issues[0].Message, "the same words on every route")
	}
}

// TestNumericHostsRefusedOnArrival: an IP address spelled as a number
// (2130706433, 0x7f.1, ...) is refused where the URL is given, at its
// field, not only when the gateway later connects.
func TestNumericHostsRefusedOnArrival(t *testing.T) {
	svc, _, _, _ := newService(t, true)
	ctx := context.Background()
	for _, u := range []string{"https://2130706433/hook", "https://0x7f.1/", "https://0177.0.0.1/", "https://127.1/", "http://0x7f000001:9000/"} {
		t.Run(u, func(t *testing.T) {
			check := func(err error, field string) {
				t.Helper()
				var v *fault.ValidationError
				require.ErrorAs(t, err, &v)
				require.Len(t, v.Issues, 1)
				require.Equal(t, []any{field}, v.Issues[0].Path)
				require.Contains(t, v.Issues[0].Message, "not allowed")
			}
			_, err := svc.CreateInstance(ctx, "acme", gateway.CreateInstanceInput{InstanceName: "acme__c__new",
				WebhookURL: u, WebhookSecret: "0123456789abcdef"})
			check(err, "webhookUrl")
			_, err = svc.SetWebhook(ctx, "acme", "acme__c__main", gateway.WebhookInput{WebhookURL: u, WebhookSecret: "0123456789abcdef"})
			check(err, "webhookUrl")
			for _, typ := range []message.Type{message.Image, message.Document, message.Audio, message.Video} {
				in := gateway.SendInput{InstanceName: "acme__c__main", To: "5491112345678", Type: typ,
					Content: message.Content{MediaURL: u, FileName: "a.pdf"}}
				_, _, err = svc.Send(ctx, "acme", in, "")
				k, _ := message.KindOf(typ)
				m, _ := k.Media()
				check(err, m.Field)
			}
		})
	}
}
