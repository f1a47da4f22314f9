package host

import (
	"context"
	"errors"
	"time"

	"github.com/wagateway/wagateway/internal/driver"
	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/message"
)

// presenceTimeout bounds each chat presence call: typing is decoration,
// and a stuck one must not keep a typist (and the host's stop) waiting.
const presenceTimeout = 5 * time.Second

// showsTyping is the rule of typing simulation as a function of the work
// item: sends of messages show typing, changes of sent messages (edits,
// deletions) do not.
func showsTyping(m heldMsg) bool { return m.change == nil }

// chatPresence is what a message's chat shows while it waits: "recording
// audio…" before audio, "typing…" before any other kind; nothing before a
// reaction (nobody types one) nor for a type that is no kind of message.
func chatPresence(msg message.Message) (driver.ChatPresence, bool) {
	if _, ok := message.KindOf(msg.Type); !ok || msg.Type == message.Reaction {
		return "", false
	}
	if msg.Type == message.Audio {
		return driver.Recording, true
	}
	return driver.Composing, true
}

// typist shows one work item's chat presence while it waits out its lane
// delay, and paused once it is over (sent, dropped or put back). It runs
// beside the sender so that reading the setting and calling the driver
// never delay the send: the delay timer is already running. The host's
// owner waits for its goroutine; stop only signals it.
type typist struct {
	stopped chan struct{}
	done    chan struct{}
}

// startTyping starts the typist of m. after is the previous typist's done
// (nil for none), so that one chat never sees a composing of the next
// message before the paused of the last.
func (s *session) startTyping(ctx context.Context, m heldMsg, after <-chan struct{}) *typist {
	t := &typist{stopped: make(chan struct{}), done: make(chan struct{})}
	h := s.h
	h.own.spawn(func() { // from the session's loop, which Run owns
		defer close(t.done)
		if after != nil {
			<-after
		}
		to, state, ok := s.typing(ctx, m)
		if !ok {
			return
		}
		select {
		case <-t.stopped:
			return // over before it showed: nothing to take back
		default:
		}
		h.presence(ctx, s.name, to, state)
		<-t.stopped
		h.presence(context.WithoutCancel(ctx), s.name, to, driver.Paused)
	})
	return t
}

// stop ends the typing; its paused goes out in the background.
func (t *typist) stop() { close(t.stopped) }

// typing reads what m's chat should show, if anything: the instance's
// typingSimulation setting as it is when m is picked (settings.go), and
// the rules of showsTyping and chatPresence.
func (s *session) typing(ctx context.Context, m heldMsg) (to string, state driver.ChatPresence, ok bool) {
	if !showsTyping(m) {
		return "", "", false
	}
	h, inst := s.h, s.name
	set, err := s.currentSettings(ctx)
	if err != nil || !set.TypingSimulation {
		return "", "", false
	}
	if m.to != "" && m.typ != "" {
		state, ok = chatPresence(message.Message{Type: m.typ})
		return m.to, state, ok
	}
	msg, err := h.cfg.Store.GetMessage(ctx, m.id)
	if err != nil {
		if !errors.Is(err, fault.ErrNotFound) && ctx.Err() == nil {
			h.log.Debug("read message for typing", "instance", inst, "messageId", m.id, "err", err.Error())
		}
		return "", "", false
	}
	state, ok = chatPresence(msg)
	return msg.To, state, ok
}

// presence calls the driver, bounded by presenceTimeout; a failure is only
// logged.
func (h *Host) presence(ctx context.Context, inst, to string, state driver.ChatPresence) {
	ctx, cancel := context.WithTimeout(ctx, presenceTimeout)
	defer cancel()
	if err := h.cfg.Driver.Presence(ctx, inst, to, state); err != nil && ctx.Err() == nil {
		h.log.Debug("chat presence", "instance", inst, "state", string(state), "err", err.Error())
	}
}
