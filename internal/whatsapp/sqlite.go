package whatsapp

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// The local mode keeps the driver's state in the gateway's SQLite file:
// whatsmeow's own tables (whatsmeow_*, through sqlstore.NewWithDB(db,
// "sqlite", ...) and Upgrade) and one table of bindings beside them. db
// must be opened with foreign keys on (whatsmeow's tables cascade on
// them), e.g. "file:gateway.db?_pragma=foreign_keys(1)".

// SQLiteBindings keeps the instance → device bindings in a SQLite table.
type SQLiteBindings struct{ db *sql.DB }

var _ Bindings = (*SQLiteBindings)(nil)

// NewSQLiteBindings returns the bindings on db, creating their table.
func NewSQLiteBindings(ctx context.Context, db *sql.DB) (*SQLiteBindings, error) {
	const schema = `CREATE TABLE IF NOT EXISTS wagateway_whatsapp_binding (
		instance TEXT PRIMARY KEY,
		jid      TEXT NOT NULL
	) WITHOUT ROWID`
	if _, err := db.ExecContext(ctx, schema); err != nil {
		return nil, fmt.Errorf("whatsapp: create the bindings table: %w", err)
	}
	return &SQLiteBindings{db: db}, nil
}

// Device implements Bindings.
func (b *SQLiteBindings) Device(ctx context.Context, instance string) (string, error) {
	var jid string
	err := b.db.QueryRowContext(ctx, `SELECT jid FROM wagateway_whatsapp_binding WHERE instance = ?`, instance).Scan(&jid)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("whatsapp: read binding of %s: %w", instance, err)
	}
	return jid, nil
}

// Bind implements Bindings.
func (b *SQLiteBindings) Bind(ctx context.Context, instance, jid string) error {
	_, err := b.db.ExecContext(ctx, `INSERT INTO wagateway_whatsapp_binding (instance, jid) VALUES (?, ?)
		ON CONFLICT (instance) DO UPDATE SET jid = excluded.jid`, instance, jid)
	if err != nil {
		return fmt.Errorf("whatsapp: bind %s: %w", instance, err)
	}
	return nil
}

// Unbind implements Bindings.
func (b *SQLiteBindings) Unbind(ctx context.Context, instance, jid string) error {
	_, err := b.db.ExecContext(ctx, `DELETE FROM wagateway_whatsapp_binding WHERE instance = ? AND jid = ?`, instance, jid)
	if err != nil {
		return fmt.Errorf("whatsapp: unbind %s: %w", instance, err)
	}
	return nil
}
