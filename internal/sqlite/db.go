// Package sqlite holds the embedded adapters of the local all-in-one
// gateway: the state store and the lane queues, on one SQLite file
// (modernc.org/sqlite, no cgo) in WAL mode with foreign keys on.
//
// Writes go through a single writer goroutine that commits concurrent
// writes together (group commit): each write runs in its own savepoint, so
// one failing write does not undo its neighbours, and one fsync covers the
// whole batch. Reads use a separate pool of read-only connections, which WAL
// lets run alongside the writer.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"sync"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
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
	relaxed    bool
	closing    chan struct{} // closed by Close
	done       chan struct{} // closed when the writer has stopped
	close      sync.Once
}

type writeOp struct {
	fn      func(tx *Tx) error
	errc    chan error
	relaxed bool // see WriteRelaxed
}

// Open opens (creating if needed) the database at path and migrates it to
// the current schema. Use ":memory:"-free paths: WAL needs a real file.
func Open(ctx context.Context, path string) (*DB, error) {
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
		return "file:" + path + "?" + q.Encode()
	}
	w, err := sql.Open("sqlite", dsn(""))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if err := migrate(ctx, w); err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("migrate %s: %w", path, err)
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
		ops: make(chan writeOp, maxBatch), closing: make(chan struct{}), done: make(chan struct{})}
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
	})
	return err
}

// Write runs fn inside the shared write transaction and waits until that
// transaction is committed. fn must only use tx and must not block on
// anything else; its changes are undone alone if it returns an error. fn
// may run more than once (a batch is retried with savepoints when one of
// its writes fails), so it must not act outside tx except to set results.
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

func (db *DB) submit(ctx context.Context, op writeOp) error {
	select {
	case db.ops <- op:
	case <-db.closing:
		return errClosed
	case <-ctx.Done():
		return ctx.Err()
	}
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
	case <-ctx.Done():
		return ctx.Err()
	}
}

// errClosed answers writes to a closed database.
var errClosed = errors.New("sqlite: database closed")

// Read returns the read-only pool.
func (db *DB) Read() *sql.DB { return db.read }

// writer commits batches until Close. The ops channel is never closed, so
// a Write racing Close cannot send on a closed channel; ops still queued
// when it stops are answered errClosed by their callers (db.done).
func (db *DB) writer() {
	defer close(db.done)
	batch := make([]writeOp, 0, maxBatch)
	for {
		select {
		case <-db.closing:
			return
		case op := <-db.ops:
			batch = append(batch[:0], op)
		}
	fill:
		for len(batch) < maxBatch {
			select {
			case more := <-db.ops:
				batch = append(batch, more)
			default:
				break fill
			}
		}
		db.commit(batch)
	}
}

// commit runs one batch in one transaction. It first runs every write
// without savepoints, which is the common, cheap case; if any write fails
// the attempt is rolled back whole and the batch runs again with a
// savepoint per write, so the failing write is undone alone.
func (db *DB) commit(batch []writeOp) {
	relaxed := true
	for _, op := range batch {
		relaxed = relaxed && op.relaxed
	}
	if err := db.setRelaxed(relaxed); err != nil {
		for _, op := range batch {
			op.errc <- err
		}
		return
	}
	errs, ok := db.run(batch, false)
	if !ok {
		errs, _ = db.run(batch, true)
	}
	for i, op := range batch {
		op.errc <- errs[i]
	}
}

// setRelaxed switches the write connection's synchronous mode when the
// batch about to commit needs the other one.
func (db *DB) setRelaxed(relaxed bool) error {
	if relaxed == db.relaxed {
		return nil
	}
	mode := "FULL"
	if relaxed {
		mode = "NORMAL"
	}
	if _, err := db.write.ExecContext(context.Background(), "PRAGMA synchronous = "+mode); err != nil {
		if relaxed {
			return nil // staying durable is always allowed
		}
		return fmt.Errorf("set synchronous %s: %w", mode, err)
	}
	db.relaxed = relaxed
	return nil
}

// run executes batch in one transaction. Without isolate, the first failing
// write aborts the attempt (ok false, nothing committed) unless it is the
// only write, whose error is then final. With isolate, each write runs in
// a savepoint and a failing one is rolled back alone.
func (db *DB) run(batch []writeOp, isolate bool) (errs []error, ok bool) {
	errs = make([]error, len(batch))
	fail := func(err error) ([]error, bool) {
		for i := range errs {
			errs[i] = err
		}
		return errs, true
	}
	tx, err := db.write.BeginTx(context.Background(), nil)
	if err != nil {
		return fail(fmt.Errorf("begin: %w", err))
	}
	wtx := &Tx{tx: tx, cache: db.writeStmts}
	defer wtx.promote()
	single := len(batch) == 1
	for i, op := range batch {
		if !isolate || single {
			if errs[i] = op.fn(wtx); errs[i] != nil {
				_ = tx.Rollback()
				return errs, single
			}
			continue
		}
		if _, err := wtx.Exec("SAVEPOINT op"); err != nil {
			errs[i] = fmt.Errorf("savepoint: %w", err)
			continue
		}
		errs[i] = op.fn(wtx)
		if errs[i] != nil {
			if _, err := wtx.Exec("ROLLBACK TO op"); err != nil {
				errs[i] = errors.Join(errs[i], fmt.Errorf("rollback to savepoint: %w", err))
			}
		}
		if _, err := wtx.Exec("RELEASE op"); err != nil {
			errs[i] = errors.Join(errs[i], fmt.Errorf("release savepoint: %w", err))
		}
	}
	if err := tx.Commit(); err != nil {
		return fail(fmt.Errorf("commit: %w", err))
	}
	return errs, true
}
