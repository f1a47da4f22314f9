// Package sqlite holds the embedded adapters of the local all-in-one
// gateway: the state store and the lane queues, on one SQLite file
// (modernc.org/sqlite, no cgo) in WAL mode with foreign keys on.
//
// Writes go through a single writer goroutine that commits concurrent
// writes together (group commit): one fsync covers the whole batch, and
// writes that arrive while a batch runs join it. A failing write does not
// undo its neighbours: the batch then runs again with a savepoint per
// write. Writes of one kind (a Group, such as sends) can share statements.
// Reads use a separate pool of read-only connections, which WAL lets run
// alongside the writer.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	instlease "github.com/wagateway/wagateway/internal/lease"
)

// maxBatch bounds how many writes share one transaction, so one commit
// never holds the write lock for long.
const maxBatch = 256

// DB is an open gateway database.
type DB struct {
	read       *sql.DB
	write      *sql.DB
	readStmts  *stmtCache
	writeStmts *stmtCache
	ops        chan writeOp
	// relaxed is whether the write connection currently commits without
	// fsync (synchronous=NORMAL); only the writer goroutine touches it.
	relaxed bool
	// leases are the claims on deliveries held by this process.
	leases *leases
	// lock keeps other gateway processes out of the database while it is
	// open; nil when opened by OpenExisting.
	lock *os.File
	// carry is a write taken from ops that did not fit the batch then
	// running; it starts the next one. Writer goroutine only.
	carry   *writeOp
	closing chan struct{} // closed by Close
	done    chan struct{} // closed when the writer has stopped
	close   sync.Once
}

// ErrInUse is returned by Open when another process (or another Open in
// this one) has the database open.
var ErrInUse = errors.New("database is in use by another gateway process")

// ErrNoDatabase is returned by OpenExisting when there is no gateway
// database at the path (no file, or one without the gateway's schema).
var ErrNoDatabase = errors.New("no gateway database")

// ErrSchema is returned by OpenExisting when the database's schema is not
// the one this build migrates to.
var ErrSchema = errors.New("database schema of another build")

// Open opens (creating if needed) the database at path and migrates it to
// the current schema. Use ":memory:"-free paths: WAL needs a real file.
//
// The database belongs to one process at a time: Open locks path+".lock"
// and fails with ErrInUse while someone else holds it. SQLite itself would
// let two processes share the file, but the gateway keeps state that must
// not be split between two of them — the delivery leases in memory, and
// the WhatsApp sessions, which two hosts would keep taking from each other.
// A tool that touches none of that opens it with OpenExisting instead.
func Open(ctx context.Context, path string) (*DB, error) {
	lock, err := lockFile(path + ".lock")
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db, err := open(ctx, path, false)
	if err != nil {
		_ = lock.Close()
		return nil, err
	}
	db.lock = lock
	return db, nil
}

// OpenExisting opens the database at path next to the process that owns
// it (Open), for a short-lived tool such as the admin CLI: it takes no
// lock, and it neither creates nor migrates the database, failing with
// ErrNoDatabase when there is none and with ErrSchema when its schema is
// not this build's. SQLite (WAL, busy timeout) lets the two processes
// write the same file. Use it for tenants, keys and settings only — plain
// rows: the delivery leases live in the owner's memory, and the sessions
// and queues are the owner's to run.
func OpenExisting(ctx context.Context, path string) (*DB, error) {
	if st, err := os.Stat(path); err != nil || st.Size() == 0 {
		return nil, fmt.Errorf("%w at %s", ErrNoDatabase, path)
	}
	return open(ctx, path, true)
}

// latestSchema is the schema version the embedded migrations lead to.
func latestSchema() (int, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return 0, err
	}
	latest := 0
	for _, name := range names {
		num, err := strconv.Atoi(strings.SplitN(strings.TrimPrefix(name, "migrations/"), "_", 2)[0])
		if err != nil {
			return 0, fmt.Errorf("migration %s: bad name", name)
		}
		latest = max(latest, num)
	}
	return latest, nil
}

// checkSchema fails unless db has this build's schema.
func checkSchema(ctx context.Context, db *sql.DB, path string) error {
	latest, err := latestSchema()
	if err != nil {
		return err
	}
	var current int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&current); err != nil {
		return fmt.Errorf("read schema version of %s: %w", path, err)
	}
	switch {
	case current == 0:
		return fmt.Errorf("%w at %s (an SQLite file without the gateway's schema)", ErrNoDatabase, path)
	case current < latest:
		return fmt.Errorf("%w: %s has schema version %d, this build needs %d; start the gateway of this build once to upgrade it (stop an older one running on it first)",
			ErrSchema, path, current, latest)
	case current > latest:
		return fmt.Errorf("%w: %s has schema version %d, written by a newer build than this one (%d); use that build",
			ErrSchema, path, current, latest)
	}
	return nil
}

// open opens path; existing is OpenExisting's mode (an existing file, no
// migration), otherwise the database is created if needed and migrated.
func open(ctx context.Context, path string, existing bool) (*DB, error) {
	dsn := func(extra string) string {
		q := url.Values{}
		q.Add("_pragma", "foreign_keys(1)")
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "busy_timeout(10000)")
		q.Add("_pragma", "synchronous(FULL)")
		// Savepoint journals (one per write in a batch) stay in memory.
		q.Add("_pragma", "temp_store(MEMORY)")
		if extra != "" {
			q.Add("_pragma", extra)
		}
		q.Set("_txlock", "immediate")
		if existing {
			q.Set("mode", "rw") // SQLite's own: never create the file
		}
		return "file:" + path + "?" + q.Encode()
	}
	w, err := sql.Open("sqlite", dsn(""))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if existing {
		err = checkSchema(ctx, w, path)
	} else if err = migrate(ctx, w); err != nil {
		err = fmt.Errorf("migrate %s: %w", path, err)
	}
	if err != nil {
		_ = w.Close()
		return nil, err
	}
	r, err := sql.Open("sqlite", dsn("query_only(1)"))
	if err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("open %s for reading: %w", path, err)
	}
	n := max(4, runtime.GOMAXPROCS(0)*2)
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	r.SetConnMaxLifetime(0)
	db := &DB{read: r, write: w, readStmts: &stmtCache{db: r}, writeStmts: &stmtCache{db: w},
		ops: make(chan writeOp, maxBatch), leases: newLeases(), closing: make(chan struct{}), done: make(chan struct{})}
	go db.writer()
	return db, nil
}

// Close stops the writer and closes every connection. Writes submitted
// after Close fail.
func (db *DB) Close() error {
	var err error
	db.close.Do(func() {
		close(db.closing)
		<-db.done
		db.readStmts.close()
		db.writeStmts.close()
		err = errors.Join(db.read.Close(), db.write.Close())
		if db.lock != nil { // OpenExisting takes none
			err = errors.Join(err, db.lock.Close())
		}
	})
	return err
}

// Write runs fn inside the shared write transaction and waits until that
// transaction is committed. fn must only use tx and must not block on
// anything else; its changes are undone alone if it returns an error. fn
// may run more than once (a batch is retried with savepoints when one of
// its writes fails), so it must not act outside tx except to set results.
// ctx bounds only the wait to be queued: a queued write is always waited
// for, so its result is the true one.
func (db *DB) Write(ctx context.Context, fn func(tx *Tx) error) error {
	return db.submit(ctx, writeOp{fn: fn, errc: make(chan error, 1)})
}

// WriteRelaxed is Write for changes whose loss in a power failure is
// harmless, because the state they leave behind is one the system already
// recovers from: a batch made only of such writes commits without waiting
// for fsync (synchronous=NORMAL in WAL mode). The database stays
// consistent whatever happens, a relaxed write is still atomic and
// isolated, and the next durable commit's fsync covers it, since the WAL
// is synced as a whole; only the last relaxed batches before a power cut
// can be undone. A batch that holds any durable write commits with fsync.
func (db *DB) WriteRelaxed(ctx context.Context, fn func(tx *Tx) error) error {
	return db.submit(ctx, writeOp{fn: fn, errc: make(chan error, 1), relaxed: true})
}

// WriteGrouped is Write for a write of kind g, which the writer may run
// together with its neighbours of the same kind through g.Run (given
// item); fn is what the write does on its own. fn may then not run at all,
// so the caller must not rely on fn to learn results.
func (db *DB) WriteGrouped(ctx context.Context, g *Group, item any, fn func(tx *Tx) error) error {
	return db.submit(ctx, writeOp{fn: fn, errc: make(chan error, 1), group: g, item: item})
}

// submit queues op. A write whose ctx carries a lease.Fence (made by a
// session host for an instance) checks it first in the same transaction
// (leaseFence) and fails with lease.ErrLost, changing nothing, when the
// token is no longer current; such a write never runs grouped, since a
// group's Run would skip the check.
func (db *DB) submit(ctx context.Context, op writeOp) error {
	if f, ok := instlease.FenceFrom(ctx); ok {
		fn := op.fn
		op.fn = func(tx *Tx) error {
			if err := leaseFence(tx, f.Instance, f.Token, f.Now); err != nil {
				return err
			}
			return fn(tx)
		}
		op.group, op.item = nil, nil
	}
	select {
	case db.ops <- op:
	case <-db.closing:
		return errClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once queued, the write is waited for even if ctx ends meanwhile: the
	// writer may already be committing it, and a write that commits must
	// not be reported as failed — a queue receive the caller never learns
	// of leaves its messages invisible until their visibility ends. The
	// wait is one batch, so ctx only bounds the wait to be queued.
	select {
	case err := <-op.errc:
		return err
	case <-db.done:
		// The writer stopped; it may still have answered this op.
		select {
		case err := <-op.errc:
			return err
		default:
			return errClosed
		}
	}
}

// errClosed answers writes to a closed database.
var errClosed = errors.New("sqlite: database closed")

// Read returns the read-only pool.
func (db *DB) Read() *sql.DB { return db.read }
