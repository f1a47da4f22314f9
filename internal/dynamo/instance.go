package dynamo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/instance"
	"github.com/wagateway/wagateway/internal/message"
)

// CreateInstance implements gateway.InstanceStore: a condition check on
// the tenant and a conditional put of the instance, in one transaction.
func (s *Store) CreateInstance(ctx context.Context, in instance.Instance) error {
	it := instanceKeyOf(in.Name)
	it[attrKind], it[attrEntityID], it[attrTenantID] = str(kindInstance), str(in.Name.String()), str(in.Name.Tenant)
	it[attrWebhookURL], it[attrWebhookSec], it[attrState] = str(in.WebhookURL), str(in.WebhookSecret), str(string(in.State))
	it[attrCreatedAt] = ms(in.CreatedAt)
	setStr(it, attrPhone, in.PhoneNumber)
	setTime(it, attrConnectedAt, in.ConnectedAt)
	putSettings(it, in.Settings)
	if in.WebhookEvents != nil {
		it[attrWebhookEvents] = eventList(in.WebhookEvents)
	}
	it[attrShard] = num(int64(in.Shard))
	err := s.write(ctx, s.check(tenantKey(in.Name.Tenant), exists), s.put(it, notExists, nil),
		s.upd(newUpdate().add(attrCount, 1), shardLoadKey(in.Shard), ""))
	var c *canceled
	switch {
	case errors.As(err, &c) && c.failed(0):
		return fmt.Errorf("tenant %s: %w", in.Name.Tenant, fault.ErrNotFound)
	case errors.As(err, &c) && c.failed(1):
		return fmt.Errorf("instance %s: %w", in.Name, fault.ErrConflict)
	case err != nil:
		return fmt.Errorf("create instance %s: %w", in.Name, err)
	}
	return nil
}

// eventList is a webhook event filter as a list of strings: a list (not a
// string set) because DynamoDB stores no empty set, and an empty filter
// (no event) must stay distinct from none (absent: every event).
func eventList(events []string) types.AttributeValue {
	l := make([]types.AttributeValue, len(events))
	for i, e := range events {
		l[i] = str(e)
	}
	return &types.AttributeValueMemberL{Value: l}
}

// getEvents reads the webhook event filter; absent is nil (every event).
func getEvents(it item) ([]string, error) {
	av, ok := it[attrWebhookEvents]
	if !ok {
		return nil, nil
	}
	l, ok := av.(*types.AttributeValueMemberL)
	if !ok {
		return nil, fmt.Errorf("stored %s is a %T, not a list", attrWebhookEvents, av)
	}
	out := make([]string, len(l.Value))
	for i, v := range l.Value {
		sv, ok := v.(*types.AttributeValueMemberS)
		if !ok {
			return nil, fmt.Errorf("stored %s[%d] is a %T, not a string", attrWebhookEvents, i, v)
		}
		out[i] = sv.Value
	}
	return out, nil
}

func decodeInstance(it item) (instance.Instance, error) {
	raw := getStr(it, attrEntityID)
	n, err := instance.ParseName(raw)
	if err != nil {
		return instance.Instance{}, fmt.Errorf("stored instance name %q: %w", raw, err)
	}
	events, err := getEvents(it)
	if err != nil {
		return instance.Instance{}, fmt.Errorf("stored instance %s: %w", raw, err)
	}
	return instance.Instance{Name: n, WebhookURL: getStr(it, attrWebhookURL), WebhookSecret: getStr(it, attrWebhookSec),
		WebhookEvents: events, State: instance.State(getStr(it, attrState)), PhoneNumber: getStr(it, attrPhone),
		ConnectedAt: getTime(it, attrConnectedAt), CreatedAt: getTime(it, attrCreatedAt),
		Settings: getSettings(it), Shard: int(getInt(it, attrShard))}, nil
}

// GetInstance implements gateway.InstanceStore and host.Store.
func (s *Store) GetInstance(ctx context.Context, name string) (instance.Instance, error) {
	it, err := s.instanceItem(ctx, name)
	if err != nil {
		return instance.Instance{}, err
	}
	return decodeInstance(it)
}

// instanceItem reads an instance's item, counters included.
func (s *Store) instanceItem(ctx context.Context, name string) (item, error) {
	k, valid := instanceKey(name)
	if !valid {
		return nil, fmt.Errorf("instance %s: %w", name, fault.ErrNotFound)
	}
	it, ok, err := s.get(ctx, k)
	if err != nil {
		return nil, fmt.Errorf("get instance %s: %w", name, err)
	}
	if !ok {
		return nil, fmt.Errorf("instance %s: %w", name, fault.ErrNotFound)
	}
	return it, nil
}

// ListInstances implements gateway.InstanceStore: one query of the
// tenant's partition, whose sort keys order instances by name.
func (s *Store) ListInstances(ctx context.Context, tenantID, clientID string) ([]instance.Instance, error) {
	out := []instance.Instance{}
	err := s.tenantInstances(ctx, tenantID, clientID, func(it item) error {
		in, err := decodeInstance(it)
		out = append(out, in)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list instances of %s: %w", tenantID, err)
	}
	return out, nil
}

// tenantInstances calls fn with the item of each of a tenant's instances
// (of one client unless clientID is ""), by name.
func (s *Store) tenantInstances(ctx context.Context, tenantID, clientID string, fn func(item) error) error {
	prefix := instanceSK(tenantID + "__")
	if clientID != "" {
		prefix = instanceSK(tenantID + "__" + clientID + "__")
	}
	return s.query(ctx, &dynamodb.QueryInput{
		KeyConditionExpression:    aws.String("#pk = :pk AND begins_with(#sk, :prefix)"),
		ExpressionAttributeNames:  names(attrPK, attrSK),
		ExpressionAttributeValues: item{":pk": str("T#" + tenantID), ":prefix": str(prefix)},
		ConsistentRead:            aws.Bool(true),
	}, fn)
}

// UpdateWebhook implements gateway.InstanceStore: target, secret and
// filter in one conditional update (nil events removes the attribute).
func (s *Store) UpdateWebhook(ctx context.Context, name, url, secret string, events []string) error {
	k, valid := instanceKey(name)
	if !valid {
		return fmt.Errorf("instance %s: %w", name, fault.ErrNotFound)
	}
	u := newUpdate().set(attrWebhookURL, str(url)).set(attrWebhookSec, str(secret))
	if events == nil {
		u.remove(attrWebhookEvents)
	} else {
		u.set(attrWebhookEvents, eventList(events))
	}
	err := s.write(ctx, s.upd(u, k, exists))
	var c *canceled
	if errors.As(err, &c) && c.failed(0) {
		return fmt.Errorf("instance %s: %w", name, fault.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("update webhook of %s: %w", name, err)
	}
	return nil
}

// DeleteInstance implements gateway.InstanceStore. The instance goes
// first, then its pending messages are failed in batches: a send that read
// the instance just before the delete may still store a message after the
// batches passed (see the package doc). Last its received messages are
// deleted (outbound ones stay, readable by id).
func (s *Store) DeleteInstance(ctx context.Context, name string, at time.Time) (int, error) {
	k, valid := instanceKey(name)
	if !valid {
		return 0, fmt.Errorf("instance %s: %w", name, fault.ErrNotFound)
	}
	in, err := s.GetInstance(ctx, name)
	if err != nil {
		return 0, err
	}
	err = s.write(ctx, s.del(k, exists, nil), s.upd(newUpdate().add(attrCount, -1), shardLoadKey(in.Shard), ""))
	var c *canceled
	if errors.As(err, &c) && c.failed(0) {
		return 0, fmt.Errorf("instance %s: %w", name, fault.ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("delete instance %s: %w", name, err)
	}
	n, err := s.failPending(ctx, name, message.ErrorInstanceDeleted, at, nil, false)
	if err != nil {
		return n, fmt.Errorf("fail pending messages of deleted %s: %w", name, err)
	}
	// After the instance item: nothing reads them from here on, and a
	// message received meanwhile is swept too, up to the query's end.
	if _, err := s.deleteReceived(ctx, name); err != nil {
		return n, fmt.Errorf("delete received messages of deleted %s: %w", name, err)
	}
	return n, nil
}
