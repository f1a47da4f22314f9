package dynamo

import (
	"context"
	"errors"
	"fmt"

	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/tenant"
)

// CreateTenant implements gateway.TenantStore.
func (s *Store) CreateTenant(ctx context.Context, t tenant.Tenant) error {
	it := tenantKey(t.ID)
	it[attrKind], it[attrEntityID], it[attrCreatedAt] = str(kindTenant), str(t.ID), ms(t.CreatedAt)
	err := s.write(ctx, s.put(it, notExists, nil))
	var c *canceled
	if errors.As(err, &c) && c.failed(0) {
		return fmt.Errorf("tenant %s: %w", t.ID, fault.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("create tenant %s: %w", t.ID, err)
	}
	return nil
}

// CreateKey implements gateway.TenantStore: the key is written only while
// its tenant exists (a condition check in the same transaction).
func (s *Store) CreateKey(ctx context.Context, k tenant.Key) error {
	it := apiKeyKey(k.ID)
	it[attrTenantID], it[attrHash], it[attrCreatedAt] = str(k.TenantID), bin(k.Hash), ms(k.CreatedAt)
	err := s.write(ctx, s.check(tenantKey(k.TenantID), exists), s.put(it, notExists, nil))
	var c *canceled
	switch {
	case errors.As(err, &c) && c.failed(0):
		return fmt.Errorf("tenant %s: %w", k.TenantID, fault.ErrNotFound)
	case errors.As(err, &c) && c.failed(1):
		return fmt.Errorf("key %s: %w", k.ID, fault.ErrConflict)
	case err != nil:
		return fmt.Errorf("create key %s: %w", k.ID, err)
	}
	return nil
}

// GetKey implements gateway.TenantStore.
func (s *Store) GetKey(ctx context.Context, keyID string) (tenant.Key, error) {
	it, ok, err := s.get(ctx, apiKeyKey(keyID))
	if err != nil {
		return tenant.Key{}, fmt.Errorf("get key %s: %w", keyID, err)
	}
	if !ok {
		return tenant.Key{}, fmt.Errorf("key %s: %w", keyID, fault.ErrNotFound)
	}
	return tenant.Key{ID: keyID, TenantID: getStr(it, attrTenantID), Hash: getBin(it, attrHash),
		CreatedAt: getTime(it, attrCreatedAt)}, nil
}

// DeleteKey implements gateway.TenantStore: the condition on the owner
// makes another tenant's key look absent.
func (s *Store) DeleteKey(ctx context.Context, tenantID, keyID string) error {
	err := s.write(ctx, s.del(apiKeyKey(keyID), "#tenantId = :tenant", item{":tenant": str(tenantID)}))
	var c *canceled
	if errors.As(err, &c) && c.failed(0) {
		return fmt.Errorf("key %s of %s: %w", keyID, tenantID, fault.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("delete key %s: %w", keyID, err)
	}
	return nil
}
