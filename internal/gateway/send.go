package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/wagateway/wagateway/internal/chat"
	"github.com/wagateway/wagateway/internal/clock"
	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/lane"
	"github.com/wagateway/wagateway/internal/message"
)

// MaxIdempotencyKeyLen is the longest Idempotency-Key accepted.
const MaxIdempotencyKeyLen = 256

// SendInput is one message to send, whatever endpoint it came through.
type SendInput struct {
	InstanceName string
	To           string
	Lane         string
	Type         message.Type
	Content      message.Content
	// ReplyTo names the message to quote (reply.go), if any.
	ReplyTo string
}

// Accepted is the 202 answer to a send, and what an idempotent replay
// returns byte for byte.
type Accepted struct {
	ID           string `json:"id"`
	Status       string `json:"status"`
	Lane         string `json:"lane"`
	QueuedAt     string `json:"queuedAt"`
	InstanceName string `json:"instanceName,omitempty"`
}

// QueueBody is what a lane queue message carries: just enough to find the
// stored message. A body without Change is the message's send (bodies
// queued before changes existed read as such); with one it is an edit or
// a deletion of the message, once sent, identified by ChangeID. An edit
// carries the message's new content (spintax unresolved), stored on the
// message once the edit went out.
type QueueBody struct {
	MessageID    string           `json:"messageId"`
	InstanceName string           `json:"instanceName"`
	Change       message.Change   `json:"change,omitempty"`
	ChangeID     string           `json:"changeId,omitempty"`
	Content      *message.Content `json:"content,omitempty"`
	// To and Type of a send let the host show typing while the message
	// waits without reading it (one read per message saved); bodies
	// without them are read as before.
	To   string       `json:"to,omitempty"`
	Type message.Type `json:"type,omitempty"`
}

// validateContent checks the fields every send shares, then the kind's
// own, then its media URL. SendToClient checks the type first, so Send
// is the only way an unknown one gets here.
func (s *Service) validateContent(issues *fault.Issues, in SendInput) {
	if in.To == "" {
		issues.Add("Required", "to")
	} else if !chat.Valid(in.To) {
		issues.Add(chat.FormatMessage, "to")
	}
	if _, err := lane.Parse(in.Lane); err != nil {
		issues.Add(err.Error(), "lane")
	}
	checkMessageRef(issues, "replyTo", in.ReplyTo)
	if in.Type == message.Reaction && in.ReplyTo != "" {
		issues.Add("Not allowed for a reaction", "replyTo")
	}
	if r := in.Content.Reaction; r != nil && in.Type == message.Reaction {
		checkMessageRef(issues, "messageId", r.MessageID)
	}
	k, ok := message.KindOf(in.Type)
	if !ok {
		issues.Add(oneOfKinds(), "type")
		return
	}
	k.Validate(in.Content, issues)
	if m, ok := k.Media(); ok {
		s.validateMediaURL(issues, m.Field, in.Content.MediaURL)
	}
}

// validateMediaURL applies the gateway's URL policy where the URL is
// given, so a URL that would never be fetched is refused at once.
func (s *Service) validateMediaURL(issues *fault.Issues, field, url string) {
	if url == "" {
		issues.Add("Required", field)
	} else if err := s.urls.CheckURL(url); err != nil {
		issues.Add(err.Error(), field)
	}
}

// oneOfKinds is the issue of a type that is no kind.
func oneOfKinds() string {
	var names []string
	for _, k := range message.Kinds() {
		names = append(names, string(k.Type))
	}
	return "Must be one of " + strings.Join(names, ", ")
}

func checkIdempotencyKey(issues *fault.Issues, key string) {
	if len(key) > MaxIdempotencyKeyLen {
		issues.Add(fmt.Sprintf("Must be at most %d characters", MaxIdempotencyKeyLen), "Idempotency-Key")
	}
}

// Send validates and enqueues one message to a named instance. replayed
// is true when an earlier send with the same Idempotency-Key answers.
func (s *Service) Send(ctx context.Context, tenantID string, in SendInput, idemKey string) (Accepted, bool, error) {
	var issues fault.Issues
	name := nameField(&issues, in.InstanceName)
	s.validateContent(&issues, in)
	checkIdempotencyKey(&issues, idemKey)
	if err := issues.Err(); err != nil {
		return Accepted{}, false, err
	}
	if name.Tenant != tenantID {
		return Accepted{}, false, forbidden(tenantID)
	}
	if acc, ok, err := s.replay(ctx, tenantID, idemKey); err != nil || ok {
		return acc, ok, err
	}
	if err := s.resolveRefs(ctx, tenantID, name.String(), &in); err != nil {
		return Accepted{}, false, err
	}
	// The store checks that the instance exists as part of the insert.
	return s.enqueue(ctx, tenantID, name.String(), in, idemKey, false)
}

// replay returns the remembered answer for an Idempotency-Key, if any.
func (s *Service) replay(ctx context.Context, tenantID, key string) (Accepted, bool, error) {
	if key == "" {
		return Accepted{}, false, nil
	}
	rec, ok, err := s.store.GetIdempotency(ctx, tenantID, key, s.clock.Now())
	if err != nil || !ok {
		if err != nil {
			err = fmt.Errorf("look up idempotency key: %w", err)
		}
		return Accepted{}, false, err
	}
	var acc Accepted
	if err := json.Unmarshal(rec.Body, &acc); err != nil {
		return Accepted{}, false, fmt.Errorf("decode idempotency record: %w", err)
	}
	return acc, true, nil
}

// enqueue stores the message (with its idempotency record) and puts it on
// its lane queue. A message that cannot be queued is failed at once and
// the caller gets an error: there is never a 202 for a message that is not
// queued.
func (s *Service) enqueue(ctx context.Context, tenantID, instanceName string, in SendInput, idemKey string, withName bool) (Accepted, bool, error) {
	l, _ := lane.Parse(in.Lane)
	now := s.clock.Now()
	m := message.Message{
		ID: s.newID(), Tenant: tenantID, Instance: instanceName, Lane: l,
		To: in.To, Type: in.Type, Content: in.Content, Status: message.Pending, CreatedAt: now,
	}
	acc := Accepted{ID: m.ID, Status: string(message.Pending), Lane: string(l), QueuedAt: clock.Format(now)}
	if withName {
		acc.InstanceName = m.Instance
	}
	var idem *Idempotency
	if idemKey != "" {
		body, err := json.Marshal(acc)
		if err != nil {
			return Accepted{}, false, fmt.Errorf("encode accepted: %w", err)
		}
		idem = &Idempotency{TenantID: tenantID, Key: idemKey, Status: http.StatusAccepted, Body: body, ExpiresAt: now.Add(idempotencyTTL)}
	}
	body, err := json.Marshal(QueueBody{MessageID: m.ID, InstanceName: m.Instance, To: m.To, Type: m.Type})
	if err != nil {
		return Accepted{}, false, fmt.Errorf("encode queue body: %w", err)
	}
	if atomic, ok := s.store.(AtomicEnqueuer); ok {
		err = atomic.CreateAndEnqueue(ctx, m, idem, body)
	} else {
		err = s.storeThenEnqueue(ctx, m, idem, body)
	}
	switch {
	case errors.Is(err, ErrIdempotencyReplay):
		return s.replay(ctx, tenantID, idemKey)
	case errors.Is(err, fault.ErrNotFound):
		return Accepted{}, false, errInstanceNotFound
	case err != nil:
		return Accepted{}, false, fmt.Errorf("store and enqueue %s: %w", m.ID, err)
	}
	s.log.DebugContext(ctx, "message queued", "tenant", tenantID, "instance", m.Instance, "messageId", m.ID, "lane", string(l))
	return acc, false, nil
}

// storeThenEnqueue is the send path for stores without AtomicEnqueuer. A
// message that cannot be queued is failed at once (and its idempotency key
// freed) so the client's error is the whole truth.
func (s *Service) storeThenEnqueue(ctx context.Context, m message.Message, idem *Idempotency, body []byte) error {
	// The shard first: an instance that does not exist stores nothing.
	q, err := s.shards.queue(ctx, m.Instance, m.Lane)
	if err != nil {
		return err
	}
	if err := s.store.CreateMessage(ctx, m, idem); err != nil {
		return fmt.Errorf("store message %s: %w", m.ID, err)
	}
	if err := q.Send(ctx, m.Instance, m.ID, body); err != nil {
		idemKey := ""
		if idem != nil {
			idemKey = idem.Key
		}
		// The request context may be the reason; abandon with a fresh one.
		abandonErr := s.store.AbandonMessage(context.WithoutCancel(ctx), m.ID, message.ErrorNotQueued, s.clock.Now(), m.Tenant, idemKey)
		return errors.Join(fmt.Errorf("enqueue %s: %w", m.ID, err), abandonErr)
	}
	return nil
}

// Message returns one of the tenant's messages. Another tenant's message
// is "not found", so ids leak nothing.
func (s *Service) Message(ctx context.Context, tenantID, id string) (message.Message, error) {
	if _, err := uuid.Parse(id); err != nil || len(id) != 36 {
		return message.Message{}, fault.Invalid("Must be a message id (UUID)", "id")
	}
	m, err := s.store.GetMessage(ctx, id)
	if errors.Is(err, fault.ErrNotFound) || (err == nil && m.Tenant != tenantID) {
		return message.Message{}, fault.New(fault.ErrNotFound, "Message not found")
	}
	if err != nil {
		return message.Message{}, fmt.Errorf("get message %s: %w", id, err)
	}
	return m, nil
}
