package host

import (
	"context"
	"time"

	"github.com/wagateway/wagateway/internal/instance"
)

// SettingsMaxAge bounds how long a session trusts its copy of the
// instance's settings without hearing of a change: a lost SettingsChanged
// (a command that expired on AWS, say) costs at most this much staleness.
const SettingsMaxAge = time.Minute

// settingsCopy is a session's copy of its instance's settings, so that
// rules applied per message (typing simulation) cost no read per message.
// gen counts the changes heard of; the copy is current while it was read
// at the latest gen and is younger than SettingsMaxAge. Guarded by the
// session's mu.
type settingsCopy struct {
	val          instance.Settings
	readAt       time.Time
	readGen, gen uint64
	loaded       bool
}

// SettingsChanged tells the host that the instance's settings changed:
// the next message reads them again. An instance without a session reads
// them at its first message anyway.
func (h *Host) SettingsChanged(_ context.Context, name string) {
	if s := h.existing(name); s != nil {
		s.mu.Lock()
		s.settings.gen++
		s.mu.Unlock()
	}
}

// currentSettings returns the instance's settings, read from the store
// only when the copy is not current. A change heard of during the read
// leaves the copy stale, so the next call reads again.
func (s *session) currentSettings(ctx context.Context) (instance.Settings, error) {
	now := s.h.cfg.Clock.Now()
	s.mu.Lock()
	c := &s.settings
	if c.loaded && c.readGen == c.gen && now.Sub(c.readAt) < SettingsMaxAge {
		v := c.val
		s.mu.Unlock()
		return v, nil
	}
	gen := c.gen
	s.mu.Unlock()
	in, err := s.h.cfg.Store.GetInstance(ctx, s.name)
	if err != nil {
		return instance.Settings{}, err
	}
	s.mu.Lock()
	if gen >= c.readGen {
		c.val, c.readAt, c.readGen, c.loaded = in.Settings, now, gen, true
	}
	s.mu.Unlock()
	return in.Settings, nil
}

// settingsOf returns inst's settings through its session's copy.
func (h *Host) settingsOf(ctx context.Context, inst string) (instance.Settings, error) {
	s, err := h.session(ctx, inst)
	if err != nil {
		return instance.Settings{}, err
	}
	return s.currentSettings(ctx)
}
