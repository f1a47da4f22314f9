package gateway

import (
	"context"
	"errors"
	"fmt"

	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/instance"
)

// Settings returns an instance's settings.
func (s *Service) Settings(ctx context.Context, tenantID, rawName string) (instance.Settings, error) {
	inst, err := s.Instance(ctx, tenantID, rawName)
	if err != nil {
		return instance.Settings{}, err
	}
	return inst.Settings, nil
}

// UpdateSettings changes the settings p sets and returns all of them. The
// store applies the patch in one write, so two patches of different
// fields never undo each other.
func (s *Service) UpdateSettings(ctx context.Context, tenantID, rawName string, p instance.SettingsPatch) (instance.Settings, error) {
	n, err := owned(tenantID, rawName)
	if err != nil {
		return instance.Settings{}, err
	}
	if err := s.store.UpdateSettings(ctx, n.String(), p); err != nil {
		if errors.Is(err, fault.ErrNotFound) {
			return instance.Settings{}, errInstanceNotFound
		}
		return instance.Settings{}, fmt.Errorf("update settings of %s: %w", n, err)
	}
	s.log.InfoContext(ctx, "settings updated", "tenant", tenantID, "instance", n.String())
	return s.Settings(ctx, tenantID, rawName)
}
