package gateway

import (
	"context"
	"fmt"
	"time"
)

// Stats is GET /stats for one tenant.
type Stats struct {
	Instances   int            `json:"instances"`
	Totals      StatTotals     `json:"totals"`
	PerInstance []InstanceStat `json:"perInstance"`
}

// StatTotals sums a tenant's messages by status.
type StatTotals struct {
	Queued int `json:"queued"`
	Sent   int `json:"sent"`
	Failed int `json:"failed"`
}

// InstanceStat is one instance's entry in Stats.
type InstanceStat struct {
	InstanceName string        `json:"instanceName"`
	Queue        QueueCounts   `json:"queue"`
	Messages     MessageCounts `json:"messages"`
}

// MessageCounts counts one instance's messages by status.
type MessageCounts struct {
	Sent    int `json:"sent"`
	Failed  int `json:"failed"`
	Pending int `json:"pending"`
}

// Stats reports the caller's tenant only.
func (s *Service) Stats(ctx context.Context, tenantID string) (Stats, error) {
	rows, err := s.store.TenantStats(ctx, tenantID)
	if err != nil {
		return Stats{}, fmt.Errorf("stats of %s: %w", tenantID, err)
	}
	out := Stats{Instances: len(rows), PerInstance: make([]InstanceStat, 0, len(rows))}
	for _, r := range rows {
		q := countsOf(r.Pending)
		out.PerInstance = append(out.PerInstance, InstanceStat{
			InstanceName: r.InstanceName,
			Queue:        q,
			Messages:     MessageCounts{Sent: r.Sent, Failed: r.Failed, Pending: q.Total},
		})
		out.Totals.Queued += q.Total
		out.Totals.Sent += r.Sent
		out.Totals.Failed += r.Failed
	}
	return out, nil
}

// Health is GET /health.
type Health struct {
	Status         string `json:"status"`
	Tenants        int    `json:"tenants"`
	Instances      int    `json:"instances"`
	QueuedMessages int    `json:"queuedMessages"`
	Uptime         int64  `json:"uptime"`
}

// Health reports the gateway's size and uptime in whole seconds.
func (s *Service) Health(ctx context.Context) (Health, error) {
	t, err := s.store.Totals(ctx)
	if err != nil {
		return Health{}, fmt.Errorf("totals: %w", err)
	}
	up := s.clock.Now().Sub(s.started) / time.Second
	return Health{Status: "ok", Tenants: t.Tenants, Instances: t.Instances, QueuedMessages: t.Pending, Uptime: int64(up)}, nil
}
