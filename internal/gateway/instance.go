package gateway

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/wagateway/wagateway/events"
	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/instance"
	"github.com/wagateway/wagateway/internal/lane"
	"github.com/wagateway/wagateway/internal/message"
)

// minSecretLen is the shortest webhook secret accepted (API.md).
const minSecretLen = 16

// maxSecretLen keeps secrets to a sane size.
const maxSecretLen = 256

var errInstanceNotFound = fault.New(fault.ErrNotFound, "Instance not found")

// forbidden is the 403 for an instance name of another tenant. It says
// what the caller's names must look like and nothing about the instance,
// so it reads the same whether or not that instance exists.
func forbidden(tenantID string) error {
	return fault.New(fault.ErrForbidden,
		fmt.Sprintf("This key belongs to tenant %q: instance names must start with %q", tenantID, tenantID+"__"))
}

// CreateInstanceInput is the body of POST /instance/create.
type CreateInstanceInput struct {
	InstanceName  string `json:"instanceName"`
	WebhookURL    string `json:"webhookUrl"`
	WebhookSecret string `json:"webhookSecret"`
	// Events is the webhook's event filter: absent or null delivers every
	// event, [] none (checkEvents).
	Events *[]string `json:"events"`
	// Settings, if given, change the defaults (instance.DefaultSettings).
	Settings *instance.SettingsPatch `json:"settings"`
}

// WebhookInput is the body of PUT /instance/{name}/webhook. It replaces
// the whole webhook configuration: Events absent or null removes the
// filter, as at creation, so a PUT never keeps half of an old config.
type WebhookInput struct {
	WebhookURL    string    `json:"webhookUrl"`
	WebhookSecret string    `json:"webhookSecret"`
	Events        *[]string `json:"events"`
}

// WebhookConfig is an instance's webhook as GET /instance/{name}/webhook
// shows it; the secret is never shown, so it has no field for it.
type WebhookConfig struct {
	URL string
	// Events is the filter; nil means every event.
	Events []string
}

// QueueCounts are an instance's pending messages per lane.
type QueueCounts struct {
	Urgent int `json:"urgent"`
	Normal int `json:"normal"`
	Bulk   int `json:"bulk"`
	Total  int `json:"total"`
}

func countsOf(byLane map[lane.Lane]int) QueueCounts {
	c := QueueCounts{Urgent: byLane[lane.Urgent], Normal: byLane[lane.Normal], Bulk: byLane[lane.Bulk]}
	c.Total = c.Urgent + c.Normal + c.Bulk
	return c
}

// owned parses raw as an instance name and checks tenantID owns it. The
// ownership check comes before any lookup, so another tenant's names get
// 403 whether or not they exist.
func owned(tenantID, raw string) (instance.Name, error) {
	n, err := instance.ParseName(raw)
	if err != nil {
		return instance.Name{}, fault.Invalid(err.Error(), "instanceName")
	}
	if n.Tenant != tenantID {
		return instance.Name{}, forbidden(tenantID)
	}
	return n, nil
}

// nameField parses the instanceName field of a body, noting what is wrong.
func nameField(issues *fault.Issues, raw string) instance.Name {
	n, err := instance.ParseName(raw)
	if raw == "" {
		issues.Add("Required", "instanceName")
	} else if err != nil {
		issues.Add(err.Error(), "instanceName")
	}
	return n
}

func (s *Service) checkWebhook(issues *fault.Issues, url, secret string) {
	if url == "" {
		issues.Add("Required", "webhookUrl")
	} else if err := s.urls.CheckURL(url); err != nil {
		issues.Add(err.Error(), "webhookUrl")
	}
	switch n := utf8.RuneCountInString(secret); {
	case secret == "":
		issues.Add("Required", "webhookSecret")
	case n < minSecretLen:
		issues.Add(fmt.Sprintf("Must be at least %d characters", minSecretLen), "webhookSecret")
	case n > maxSecretLen:
		issues.Add(fmt.Sprintf("Must be at most %d characters", maxSecretLen), "webhookSecret")
	}
}

// checkEvents validates a webhook event filter and returns what to store:
// nil (every event) for absent or null, the names in the client's order
// otherwise; [] is kept as a filter that takes no event (for AWS users
// who read the bus only). A name the gateway does not emit, or one
// listed twice (likely a typo for another), is an issue at its index.
func checkEvents(issues *fault.Issues, in *[]string) []string {
	if in == nil {
		return nil
	}
	seen := make(map[string]bool, len(*in))
	for i, e := range *in {
		switch {
		case !events.Name(e).Valid():
			issues.Add("Unknown event; allowed: "+allowedEvents(), "events", i)
		case seen[e]:
			issues.Add("Listed twice: name each event once", "events", i)
		}
		seen[e] = true
	}
	return append([]string{}, *in...) // never nil: [] must not read as "every event"
}

// allowedEvents lists the event names for error messages, from events so
// that a new event is allowed the moment it exists.
func allowedEvents() string {
	names := events.Names()
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = string(n)
	}
	return strings.Join(out, ", ")
}

// CreateInstance registers a new, unlinked instance.
func (s *Service) CreateInstance(ctx context.Context, tenantID string, in CreateInstanceInput) (instance.Instance, error) {
	var issues fault.Issues
	name := nameField(&issues, in.InstanceName)
	s.checkWebhook(&issues, in.WebhookURL, in.WebhookSecret)
	filter := checkEvents(&issues, in.Events)
	if err := issues.Err(); err != nil {
		return instance.Instance{}, err
	}
	if name.Tenant != tenantID {
		return instance.Instance{}, forbidden(tenantID)
	}
	inst := instance.Instance{
		Name:          name,
		WebhookURL:    in.WebhookURL,
		WebhookSecret: in.WebhookSecret,
		WebhookEvents: filter,
		State:         instance.StateClose,
		CreatedAt:     s.clock.Now(),
		Settings:      instance.DefaultSettings(),
	}
	if in.Settings != nil {
		inst.Settings = in.Settings.Apply(inst.Settings)
	}
	shard, err := s.assign(ctx)
	if err != nil {
		return instance.Instance{}, err
	}
	inst.Shard = shard
	if err := s.store.CreateInstance(ctx, inst); err != nil {
		if errors.Is(err, fault.ErrConflict) {
			return instance.Instance{}, fault.New(fault.ErrConflict, "Instance already exists")
		}
		return instance.Instance{}, fmt.Errorf("create instance %s: %w", name, err)
	}
	s.log.InfoContext(ctx, "instance created", "tenant", tenantID, "instance", name.String())
	return inst, nil
}

// Instance returns one of the tenant's instances.
func (s *Service) Instance(ctx context.Context, tenantID, rawName string) (instance.Instance, error) {
	n, err := owned(tenantID, rawName)
	if err != nil {
		return instance.Instance{}, err
	}
	inst, err := s.store.GetInstance(ctx, n.String())
	if errors.Is(err, fault.ErrNotFound) {
		return instance.Instance{}, errInstanceNotFound
	}
	if err != nil {
		return instance.Instance{}, fmt.Errorf("get instance %s: %w", n, err)
	}
	return inst, nil
}

// ListInstances returns the tenant's instances, all or one client's.
func (s *Service) ListInstances(ctx context.Context, tenantID, clientID string) ([]instance.Instance, error) {
	if clientID != "" && !instance.ValidPart(clientID) {
		return nil, fault.Invalid("Must be 1-32 lower-case letters, digits or hyphens, starting with a letter or digit", "clientId")
	}
	list, err := s.store.ListInstances(ctx, tenantID, clientID)
	if err != nil {
		return nil, fmt.Errorf("list instances of %s: %w", tenantID, err)
	}
	return list, nil
}

// Queue returns an instance's pending messages per lane.
func (s *Service) Queue(ctx context.Context, tenantID, rawName string) (QueueCounts, error) {
	inst, err := s.Instance(ctx, tenantID, rawName)
	if err != nil {
		return QueueCounts{}, err
	}
	byLane, err := s.store.PendingByLane(ctx, inst.Name.String())
	if err != nil {
		return QueueCounts{}, fmt.Errorf("count queue of %s: %w", inst.Name, err)
	}
	return countsOf(byLane), nil
}

// FlushQueue fails every pending message of an instance; none of them is
// ever sent.
func (s *Service) FlushQueue(ctx context.Context, tenantID, rawName string) (int, error) {
	inst, err := s.Instance(ctx, tenantID, rawName)
	if err != nil {
		return 0, err
	}
	n, err := s.store.FlushPending(ctx, inst.Name.String(), s.clock.Now(), s.failedEvent(message.ErrorFlushed))
	if err != nil {
		return 0, fmt.Errorf("flush %s: %w", inst.Name, err)
	}
	s.log.InfoContext(ctx, "queue flushed", "tenant", tenantID, "instance", inst.Name.String(), "flushed", n)
	if n > 0 && s.onEvent != nil {
		s.onEvent()
	}
	return n, nil
}

// Webhook returns an instance's webhook configuration, without its secret.
func (s *Service) Webhook(ctx context.Context, tenantID, rawName string) (WebhookConfig, error) {
	inst, err := s.Instance(ctx, tenantID, rawName)
	if err != nil {
		return WebhookConfig{}, err
	}
	return WebhookConfig{URL: inst.WebhookURL, Events: inst.WebhookEvents}, nil
}

// SetWebhook replaces an instance's webhook target, secret and event
// filter (no events: every event). The dispatchers read the instance
// when they take up a delivery, not when its event is stored, so the new
// filter decides every attempt from now on, retries of earlier events
// included.
func (s *Service) SetWebhook(ctx context.Context, tenantID, rawName string, in WebhookInput) (instance.Instance, error) {
	n, err := owned(tenantID, rawName)
	if err != nil {
		return instance.Instance{}, err
	}
	var issues fault.Issues
	s.checkWebhook(&issues, in.WebhookURL, in.WebhookSecret)
	filter := checkEvents(&issues, in.Events)
	if err := issues.Err(); err != nil {
		return instance.Instance{}, err
	}
	if err := s.store.UpdateWebhook(ctx, n.String(), in.WebhookURL, in.WebhookSecret, filter); err != nil {
		if errors.Is(err, fault.ErrNotFound) {
			return instance.Instance{}, errInstanceNotFound
		}
		return instance.Instance{}, fmt.Errorf("update webhook of %s: %w", n, err)
	}
	s.log.InfoContext(ctx, "webhook updated", "tenant", tenantID, "instance", n.String())
	return s.Instance(ctx, tenantID, rawName)
}

// DeleteInstance deletes an instance; its pending messages fail with
// "instance deleted".
func (s *Service) DeleteInstance(ctx context.Context, tenantID, rawName string) (int, error) {
	n, err := owned(tenantID, rawName)
	if err != nil {
		return 0, err
	}
	failed, err := s.store.DeleteInstance(ctx, n.String(), s.clock.Now())
	if errors.Is(err, fault.ErrNotFound) {
		return 0, errInstanceNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("delete instance %s: %w", n, err)
	}
	s.log.InfoContext(ctx, "instance deleted", "tenant", tenantID, "instance", n.String(), "failedMessages", failed)
	return failed, nil
}
