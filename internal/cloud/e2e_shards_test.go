package cloud_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestAWSShapeTwoShards: with two shards, new instances land on both
// (the least loaded takes each); the API sends each instance's messages
// and session commands (linking) to its shard's queues, so each shard's
// host connects and sends only its own instances; webhooks from both
// arrive.
func TestAWSShapeTwoShards(t *testing.T) {
	s := newShapeN(t, 2)
	hook := newReceiver(t)
	s.tenant()
	names := []string{"acme__sales__a", "acme__sales__b", "acme__sales__c", "acme__sales__d"}
	for i, n := range names {
		s.instance(n, hook)
		s.link(n, fmt.Sprintf("54911000000%02d", i))
	}
	ids := map[string]string{}
	for _, n := range names {
		code, body, _ := s.call(http.MethodPost, "/message/text",
			fmt.Sprintf(`{"instanceName":%q,"to":"5491112345678","text":"to %s","lane":"urgent"}`, n, n), nil)
		require.Equal(t, http.StatusAccepted, code, body)
		ids[n] = body["id"].(string)
	}
	for n, id := range ids {
		got := hook.await(t, 60*time.Second, func(d delivery) bool {
			data, _ := d.Body["data"].(map[string]any)
			return d.Event == "message.sent" && data["id"] == id
		})
		require.Equal(t, n, got.Body["instanceName"])
	}
	perShard := make([]int, len(s.sandboxes))
	for _, n := range names {
		var on []int
		for sh, net := range s.sandboxes {
			if len(net.Sent(n)) > 0 {
				on = append(on, sh)
				perShard[sh]++
				require.Equal(t, "to "+n, net.Sent(n)[0].Outbound.Text)
			}
		}
		require.Len(t, on, 1, "%s sent by exactly one shard's host", n)
	}
	require.Equal(t, []int{2, 2}, perShard, "the least loaded shard takes each new instance")
}
