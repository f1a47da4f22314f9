package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// A note on LIMIT: a LIMIT is written LIMIT CAST(? AS INTEGER), never LIMIT ?.
// SQLite reads the value bound to a bare LIMIT parameter while planning,
// and so marks the statement to be compiled again whenever that parameter
// is bound — which the driver does on every execution — so a cached
// statement with LIMIT ? is re-parsed and re-planned every time, about a
// third of a small claim's cost. The CAST hides the parameter from that
// look-up and nothing else changes. (SQLITE_DBCONFIG_ENABLE_QPSG would do
// it for the whole connection, but the driver does not expose it.)

// stmtCache keeps prepared statements by query text. SQLite spends a large
// share of a small statement's time parsing it; preparing each query once
// per connection removes that from the hot paths.
type stmtCache struct {
	db *sql.DB
	m  sync.Map // string -> *sql.Stmt
}

func (c *stmtCache) get(ctx context.Context, query string) (*sql.Stmt, error) {
	if s, ok := c.m.Load(query); ok {
		return s.(*sql.Stmt), nil
	}
	s, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	if prev, loaded := c.m.LoadOrStore(query, s); loaded {
		_ = s.Close()
		return prev.(*sql.Stmt), nil
	}
	return s, nil
}

func (c *stmtCache) close() {
	c.m.Range(func(_, s any) bool {
		_ = s.(*sql.Stmt).Close()
		return true
	})
}

// Tx is the shared write transaction as a Write function sees it.
//
// The writer has a single connection, which the transaction holds, so a
// statement cannot be prepared on the pool mid-transaction. A query seen
// for the first time is prepared on the transaction (reused within the
// batch) and noted; after the commit the writer prepares it on the pool,
// and from then on every transaction reuses that statement.
type Tx struct {
	tx    *sql.Tx
	cache *stmtCache
	local map[string]*sql.Stmt // statements bound to this transaction
	fresh []string             // queries first seen here, to prepare on the pool
}

func (t *Tx) stmt(query string) (*sql.Stmt, error) {
	if s, ok := t.local[query]; ok {
		return s, nil
	}
	if t.local == nil {
		t.local = map[string]*sql.Stmt{}
	}
	if s, ok := t.cache.m.Load(query); ok {
		ts := t.tx.Stmt(s.(*sql.Stmt))
		t.local[query] = ts
		return ts, nil
	}
	s, err := t.tx.Prepare(query)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	t.local[query] = s
	t.fresh = append(t.fresh, query)
	return s, nil
}

// Exec runs a statement in the transaction.
func (t *Tx) Exec(query string, args ...any) (sql.Result, error) {
	s, err := t.stmt(query)
	if err != nil {
		return nil, err
	}
	return s.Exec(args...)
}

// QueryRow runs a query that returns at most one row.
func (t *Tx) QueryRow(query string, args ...any) *sql.Row {
	s, err := t.stmt(query)
	if err != nil {
		return t.tx.QueryRow(query, args...) // reports the same error on Scan
	}
	return s.QueryRow(args...)
}

// Query runs a query in the transaction.
func (t *Tx) Query(query string, args ...any) (*sql.Rows, error) {
	s, err := t.stmt(query)
	if err != nil {
		return nil, err
	}
	return s.Query(args...)
}

// promote prepares the queries this transaction saw first on the pool, once
// the transaction has released the connection.
func (t *Tx) promote() {
	for _, q := range t.fresh {
		_, _ = t.cache.get(context.Background(), q)
	}
}

// queryRow runs a read-only query on the read pool.
func (db *DB) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	s, err := db.readStmts.get(ctx, query)
	if err != nil {
		return db.read.QueryRowContext(ctx, query, args...)
	}
	return s.QueryRowContext(ctx, args...)
}

// query runs a read-only query on the read pool.
func (db *DB) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	s, err := db.readStmts.get(ctx, query)
	if err != nil {
		return nil, err
	}
	return s.QueryContext(ctx, args...)
}
