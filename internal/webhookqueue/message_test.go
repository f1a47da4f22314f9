package webhookqueue

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/events"
)

const sample = `{"version":"0","id":"6a7e8feb-b491-4cf7-a9f1-bf3703467718","detail-type":"message.sent","source":"whatsapp.gateway","account":"123456789012","time":"2026-03-15T10:30:05Z","region":"us-east-1","resources":[],"detail":{"event":"message.sent","instanceName":"acme__soporte__main","data":{"id":"3b2e1f4a-9c7d-4e2b-8a1f-6d5c4b3a2e10","to":"5491112345678","lane":"normal","type":"text","sentAt":"2026-03-15T10:30:05.127Z"},"timestamp":"2026-03-15T10:30:05.131Z","tenantId":"acme","deliveryId":"d-1"}}`

func TestParseMessage(t *testing.T) {
	d, err := parseMessage(sample)
	require.NoError(t, err)
	require.Equal(t, events.MessageSent, d.Event)
	require.Equal(t, "d-1", d.DeliveryID)
	require.Equal(t, "acme", d.TenantID)

	withNewField := strings.Replace(sample, `"resources":[]`, `"resources":[],"replay-name":"r"`, 1)
	_, err = parseMessage(withNewField)
	require.NoError(t, err, "fields EventBridge may add around the detail are ignored")
}

// FuzzParseMessage: nothing panics, and whatever is accepted is a gateway
// event whose detail-type is its event and whose body keeps to the
// contract, with a delivery id to send.
func FuzzParseMessage(f *testing.F) {
	f.Add(sample)
	f.Add(strings.Replace(sample, `"detail-type":"message.sent"`, `"detail-type":"message.failed"`, 1))
	f.Add(strings.Replace(sample, `"source":"whatsapp.gateway"`, `"source":"aws.s3"`, 1))
	f.Add(`{"version":"0","detail":null}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, b string) {
		d, err := parseMessage(b)
		if err != nil {
			return
		}
		require.True(t, d.Event.Valid())
		require.NotEmpty(t, d.DeliveryID)
		require.NotEmpty(t, d.TenantID)
		body, err := d.Body()
		require.NoError(t, err)
		require.NoError(t, events.Validate(body))
	})
}
