package dynamo

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/instance"
)

// settingAttrs pairs each setting with its attribute, for the codec and
// the update both.
func settingAttrs[T any](typing, groups, calls T) map[string]T {
	return map[string]T{attrTyping: typing, attrGroups: groups, attrCalls: calls}
}

func putSettings(it item, st instance.Settings) {
	for attr, v := range settingAttrs(st.TypingSimulation, st.ReceiveGroups, st.RejectCalls) {
		it[attr] = &types.AttributeValueMemberBOOL{Value: v}
	}
}

// getSettings reads an instance's settings; an attribute that is absent
// (an instance stored before the setting existed) reads the default.
func getSettings(it item) instance.Settings {
	get := func(attr string) *bool {
		if v, ok := it[attr].(*types.AttributeValueMemberBOOL); ok {
			return &v.Value
		}
		return nil
	}
	return instance.SettingsPatch{TypingSimulation: get(attrTyping), ReceiveGroups: get(attrGroups),
		RejectCalls: get(attrCalls)}.Apply(instance.DefaultSettings())
}

// UpdateSettings implements gateway.InstanceStore: one conditional update
// of the attributes p sets.
func (s *Store) UpdateSettings(ctx context.Context, name string, p instance.SettingsPatch) error {
	k, valid := instanceKey(name)
	if !valid {
		return fmt.Errorf("instance %s: %w", name, fault.ErrNotFound)
	}
	u := newUpdate()
	for attr, v := range settingAttrs(p.TypingSimulation, p.ReceiveGroups, p.RejectCalls) {
		if v != nil {
			u.set(attr, &types.AttributeValueMemberBOOL{Value: *v})
		}
	}
	if len(u.values) == 0 {
		// Nothing to set; an update needs at least one action, but the
		// instance must still exist.
		_, err := s.instanceItem(ctx, name)
		return err
	}
	err := s.write(ctx, s.upd(u, k, exists))
	var c *canceled
	if errors.As(err, &c) && c.failed(0) {
		return fmt.Errorf("instance %s: %w", name, fault.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("update settings of %s: %w", name, err)
	}
	return nil
}
