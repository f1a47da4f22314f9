package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Setting returns a local-mode setting, or ok=false if it was never set.
func (s *Store) Setting(ctx context.Context, key string) (value []byte, ok bool, err error) {
	err = s.db.queryRow(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("get setting %s: %w", key, err)
	}
	return value, true, nil
}

// PutSetting stores a local-mode setting.
func (s *Store) PutSetting(ctx context.Context, key string, value []byte) error {
	return s.db.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`INSERT INTO settings(key, value) VALUES (?, ?)
			ON CONFLICT(key) DO UPDATE SET value = excluded.value`, key, value)
		return err
	})
}

// HasTenant reports whether tenant id exists (the local gateway's start
// asks about the demo tenant it seeds).
func (s *Store) HasTenant(ctx context.Context, id string) (bool, error) {
	var one int
	err := s.db.queryRow(ctx, `SELECT 1 FROM tenants WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("get tenant %s: %w", id, err)
	}
	return true, nil
}
