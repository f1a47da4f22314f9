package gateway

import (
	"context"
	"errors"
	"fmt"

	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/instance"
	"github.com/wagateway/wagateway/internal/tenant"
)

// errBadKey is the one answer for every authentication failure, so a
// caller learns nothing about which part was wrong.
var errBadKey = fault.New(fault.ErrUnauthorized, "Invalid API key")

// CreateTenant registers a tenant id.
func (s *Service) CreateTenant(ctx context.Context, id string) (tenant.Tenant, error) {
	if !instance.ValidPart(id) {
		return tenant.Tenant{}, fault.Invalid("Must be 1-32 lower-case letters, digits or hyphens, starting with a letter or digit", "tenantId")
	}
	t := tenant.Tenant{ID: id, CreatedAt: s.clock.Now()}
	if err := s.store.CreateTenant(ctx, t); err != nil {
		if errors.Is(err, fault.ErrConflict) {
			return tenant.Tenant{}, fault.New(fault.ErrConflict, "Tenant already exists")
		}
		return tenant.Tenant{}, fmt.Errorf("create tenant %s: %w", id, err)
	}
	s.log.InfoContext(ctx, "tenant created", "tenant", id)
	return t, nil
}

// CreateKey makes a new API key for a tenant and returns its plaintext,
// which is never stored or shown again.
func (s *Service) CreateKey(ctx context.Context, tenantID string) (plaintext string, k tenant.Key, err error) {
	if !instance.ValidPart(tenantID) {
		return "", tenant.Key{}, fault.New(fault.ErrNotFound, "Tenant not found")
	}
	plaintext, k, err = tenant.NewKey(tenantID, s.clock.Now())
	if err != nil {
		return "", tenant.Key{}, fmt.Errorf("generate key: %w", err)
	}
	if err := s.store.CreateKey(ctx, k); err != nil {
		if errors.Is(err, fault.ErrNotFound) {
			return "", tenant.Key{}, fault.New(fault.ErrNotFound, "Tenant not found")
		}
		return "", tenant.Key{}, fmt.Errorf("store key for %s: %w", tenantID, err)
	}
	s.log.InfoContext(ctx, "api key created", "tenant", tenantID, "keyId", k.ID)
	return plaintext, k, nil
}

// DeleteKey revokes a key at once.
func (s *Service) DeleteKey(ctx context.Context, tenantID, keyID string) error {
	s.keys.forget(keyID)
	defer s.keys.forget(keyID) // again, in case a request re-cached it meanwhile
	if err := s.store.DeleteKey(ctx, tenantID, keyID); err != nil {
		if errors.Is(err, fault.ErrNotFound) {
			return fault.New(fault.ErrNotFound, "Key not found")
		}
		return fmt.Errorf("delete key %s: %w", keyID, err)
	}
	s.log.InfoContext(ctx, "api key deleted", "tenant", tenantID, "keyId", keyID)
	return nil
}

// Authenticate returns the tenant that owns the presented API key.
func (s *Service) Authenticate(ctx context.Context, presented string) (string, error) {
	if presented == "" {
		return "", fault.New(fault.ErrUnauthorized, "Missing API key (header apikey)")
	}
	id, err := tenant.KeyID(presented)
	if err != nil {
		return "", errBadKey
	}
	now := s.clock.Now()
	k, ok := s.keys.get(id, now)
	if !ok {
		k, err = s.store.GetKey(ctx, id)
		if errors.Is(err, fault.ErrNotFound) {
			return "", errBadKey
		}
		if err != nil {
			return "", fmt.Errorf("look up key: %w", err)
		}
		s.keys.put(k, now)
	}
	if !k.Matches(presented) {
		return "", errBadKey
	}
	return k.TenantID, nil
}
