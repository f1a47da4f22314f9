package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/gateway"
	"github.com/wagateway/wagateway/internal/lane"
	"github.com/wagateway/wagateway/internal/tenant"
)

// Store is the SQLite adapter of the gateway's state port.
type Store struct {
	db       *DB
	queues   map[lane.Lane]*Queue
	enqueues *Group // see CreateAndEnqueue
}

var (
	_ gateway.Store          = (*Store)(nil)
	_ gateway.AtomicEnqueuer = (*Store)(nil)
)

// NewStore returns the state store on db. queues are the lane queues (on
// the same db) that CreateAndEnqueue writes to; nil is fine for a store
// that never enqueues.
func NewStore(db *DB, queues map[lane.Lane]*Queue) *Store {
	return &Store{db: db, queues: queues, enqueues: newEnqueueGroup()}
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMilli(v.Int64).UTC()
}

func nullMS(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: true}
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// isConstraint reports a UNIQUE/PRIMARY KEY violation (SQLite extended
// codes 2067 and 1555) or a foreign key violation (787).
func isConstraint(err error, kind string) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	switch kind {
	case "unique":
		return strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "(1555)") || strings.Contains(msg, "(2067)")
	case "foreign":
		return strings.Contains(msg, "FOREIGN KEY constraint failed") || strings.Contains(msg, "(787)")
	}
	return false
}

// CreateTenant implements gateway.TenantStore.
func (s *Store) CreateTenant(ctx context.Context, t tenant.Tenant) error {
	err := s.db.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`INSERT INTO tenants(id, created_at) VALUES (?, ?)`, t.ID, ms(t.CreatedAt))
		return err
	})
	if isConstraint(err, "unique") {
		return fmt.Errorf("tenant %s: %w", t.ID, fault.ErrConflict)
	}
	return err
}

// CreateKey implements gateway.TenantStore.
func (s *Store) CreateKey(ctx context.Context, k tenant.Key) error {
	err := s.db.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`INSERT INTO api_keys(id, tenant_id, hash, created_at) VALUES (?, ?, ?, ?)`,
			k.ID, k.TenantID, k.Hash, ms(k.CreatedAt))
		return err
	})
	switch {
	case isConstraint(err, "foreign"):
		return fmt.Errorf("tenant %s: %w", k.TenantID, fault.ErrNotFound)
	case isConstraint(err, "unique"):
		return fmt.Errorf("key %s: %w", k.ID, fault.ErrConflict)
	}
	return err
}

// GetKey implements gateway.TenantStore.
func (s *Store) GetKey(ctx context.Context, keyID string) (tenant.Key, error) {
	var k tenant.Key
	var created int64
	err := s.db.queryRow(ctx,
		`SELECT id, tenant_id, hash, created_at FROM api_keys WHERE id = ?`, keyID).
		Scan(&k.ID, &k.TenantID, &k.Hash, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return tenant.Key{}, fmt.Errorf("key %s: %w", keyID, fault.ErrNotFound)
	}
	if err != nil {
		return tenant.Key{}, fmt.Errorf("get key %s: %w", keyID, err)
	}
	k.CreatedAt = time.UnixMilli(created).UTC()
	return k, nil
}

// DeleteKey implements gateway.TenantStore.
func (s *Store) DeleteKey(ctx context.Context, tenantID, keyID string) error {
	return s.db.Write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(`DELETE FROM api_keys WHERE id = ? AND tenant_id = ?`, keyID, tenantID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("key %s of %s: %w", keyID, tenantID, fault.ErrNotFound)
		}
		return nil
	})
}

// CountTenants reports whether the database is fresh, for the first-start
// demo tenant.
func (s *Store) CountTenants(ctx context.Context) (int, error) {
	var n int
	err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM tenants`).Scan(&n)
	return n, err
}
