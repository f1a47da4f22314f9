package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/lane"
)

// PendingByLane implements gateway.MessageStore: one COUNT query of the
// pending index per lane.
func (s *Store) PendingByLane(ctx context.Context, instanceName string) (map[lane.Lane]int, error) {
	out := map[lane.Lane]int{}
	for _, l := range lane.All() {
		n, err := s.count(ctx, &dynamodb.QueryInput{
			IndexName:                 aws.String(indexPending),
			KeyConditionExpression:    aws.String("#pendingOf = :inst AND begins_with(#pendingKey, :lane)"),
			ExpressionAttributeNames:  names(attrPendingOf, attrPendingKey),
			ExpressionAttributeValues: item{":inst": str(instanceName), ":lane": str(string(l) + "#")},
		})
		if err != nil {
			return nil, fmt.Errorf("count pending %s messages of %s: %w", l, instanceName, err)
		}
		if n > 0 {
			out[l] = n
		}
	}
	return out, nil
}

// TenantStats implements gateway.MessageStore: the tenant's instances
// (with their sent and failed counters) in one query, then the pending
// counts of each.
func (s *Store) TenantStats(ctx context.Context, tenantID string) ([]gateway.InstanceStats, error) {
	out := []gateway.InstanceStats{}
	err := s.tenantInstances(ctx, tenantID, "", func(it item) error {
		out = append(out, gateway.InstanceStats{InstanceName: getStr(it, attrEntityID),
			Sent: int(getInt(it, attrSentCount)), Failed: int(getInt(it, attrFailedCount))})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("tenant stats of %s: %w", tenantID, err)
	}
	for i := range out {
		if out[i].Pending, err = s.PendingByLane(ctx, out[i].InstanceName); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Totals implements gateway.MessageStore: COUNT queries of the entity
// index and a COUNT scan of the (sparse) pending index.
func (s *Store) Totals(ctx context.Context) (gateway.Totals, error) {
	var t gateway.Totals
	for _, c := range []struct {
		kind string
		n    *int
	}{{kindTenant, &t.Tenants}, {kindInstance, &t.Instances}} {
		n, err := s.count(ctx, &dynamodb.QueryInput{
			IndexName:                 aws.String(indexEntity),
			KeyConditionExpression:    aws.String("#kind = :kind"),
			ExpressionAttributeNames:  names(attrKind),
			ExpressionAttributeValues: item{":kind": str(c.kind)},
		})
		if err != nil {
			return gateway.Totals{}, fmt.Errorf("count %s items: %w", c.kind, err)
		}
		*c.n = n
	}
	p := dynamodb.NewScanPaginator(s.db, &dynamodb.ScanInput{TableName: s.tableName(),
		IndexName: aws.String(indexPending), Select: types.SelectCount})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return gateway.Totals{}, fmt.Errorf("count pending messages: %w", err)
		}
		t.Pending += int(out.Count)
	}
	return t, nil
}
