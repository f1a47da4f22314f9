package dynamo

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/instance"
)

// TestSettingsCodec: an instance item from before the settings existed
// (no attributes) reads the defaults; stored settings read back as they
// were.
func TestSettingsCodec(t *testing.T) {
	require.Equal(t, instance.DefaultSettings(), getSettings(item{}))
	require.Equal(t, instance.Settings{ReceiveGroups: true}, getSettings(item{
		attrTyping: &types.AttributeValueMemberBOOL{Value: false},
		attrGroups: &types.AttributeValueMemberBOOL{Value: true},
	}), "absent rejectCalls: default")
	for _, st := range []instance.Settings{{}, instance.DefaultSettings(), {TypingSimulation: true, ReceiveGroups: true, RejectCalls: true}} {
		it := item{}
		putSettings(it, st)
		require.Equal(t, st, getSettings(it))
	}
}
