package instance_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/instance"
)

func TestDefaultSettings(t *testing.T) {
	require.Equal(t, instance.Settings{TypingSimulation: true}, instance.DefaultSettings())
}

func TestSettingsPatchApply(t *testing.T) {
	yes, no := true, false
	all := instance.Settings{TypingSimulation: true, ReceiveGroups: true, RejectCalls: true}
	for _, tc := range []struct {
		name  string
		patch instance.SettingsPatch
		from  instance.Settings
		want  instance.Settings
	}{
		{"empty keeps everything", instance.SettingsPatch{}, all, all},
		{"one field", instance.SettingsPatch{TypingSimulation: &no}, all,
			instance.Settings{ReceiveGroups: true, RejectCalls: true}},
		{"every field", instance.SettingsPatch{TypingSimulation: &no, ReceiveGroups: &yes, RejectCalls: &no},
			instance.DefaultSettings(), instance.Settings{ReceiveGroups: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, tc.patch.Apply(tc.from))
		})
	}
}
