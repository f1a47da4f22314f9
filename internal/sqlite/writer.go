package sqlite

import (
	"context"
	"errors"
	"fmt"
)

// writeOp is one write submitted to the writer, answered on errc.
type writeOp struct {
	fn      func(tx *Tx) error
	errc    chan error
	relaxed bool // see WriteRelaxed
	group   *Group
	item    any // the op's part for group.Run
}

// Group is a kind of write that the writer can run for several callers at
// once: neighbours in a batch that share a Group go to one Run call, which
// can use one statement for many rows where each write on its own would
// use one per row, the driver's per-statement cost being most of a
// one-row insert's.
//
// Run must leave the database as running the writes' own functions one
// after the other would, and must fail if any of them would fail; the
// writer then undoes the batch and runs each write's own function alone,
// which finds the failing one and gives every write its own answer. Run
// must only use tx.
type Group struct {
	Run func(tx *Tx, items []any) error
}

// writer commits batches until Close. The ops channel is never closed, so
// a Write racing Close cannot send on a closed channel; ops still queued
// when it stops are answered errClosed by their callers (db.done).
func (db *DB) writer() {
	defer close(db.done)
	batch := make([]writeOp, 0, maxBatch)
	for {
		if db.carry != nil {
			batch = append(batch[:0], *db.carry)
			db.carry = nil
		} else {
			select {
			case <-db.closing:
				return
			case op := <-db.ops:
				batch = append(batch[:0], op)
			}
		}
		batch = db.commit(batch)
	}
}

// commit runs one batch in one transaction and answers every write in it.
// It first runs the writes without savepoints, which is the common, cheap
// case, taking in the writes that arrive meanwhile (see more); if any
// write fails the attempt is rolled back whole and the batch runs again
// with a savepoint per write, so the failing write is undone alone. It
// returns the batch as run, which may have grown.
func (db *DB) commit(batch []writeOp) []writeOp {
	relaxed := batch[0].relaxed
	if err := db.setRelaxed(relaxed); err != nil {
		batch[0].errc <- err
		return batch
	}
	errs, ok := db.run(&batch, relaxed, false)
	if !ok {
		errs, _ = db.run(&batch, relaxed, true)
	}
	for i, op := range batch {
		op.errc <- errs[i]
	}
	return batch
}

// more takes a write that arrived while a batch was running, so that it
// shares the batch's commit instead of waiting for the next one: under
// load a batch keeps growing until the writer has caught up (or maxBatch),
// and its one fsync covers every write that came in meanwhile. A durable
// write does not join a relaxed batch, which commits without fsync; it is
// carried over to start the next batch.
func (db *DB) more(batch []writeOp, relaxed bool) (writeOp, bool) {
	if len(batch) >= maxBatch || db.carry != nil {
		return writeOp{}, false
	}
	select {
	case op := <-db.ops:
		if relaxed && !op.relaxed {
			db.carry = &op
			return writeOp{}, false
		}
		return op, true
	default:
		return writeOp{}, false
	}
}

// run executes *batch in one transaction. Without isolate, the first
// failing write aborts the attempt (ok false, nothing committed) unless it
// is the only write, whose error is then final, and writes arriving
// meanwhile join the batch. With isolate, each write of the batch runs in
// a savepoint and a failing one is rolled back alone.
func (db *DB) run(batch *[]writeOp, relaxed, isolate bool) (errs []error, ok bool) {
	errs = make([]error, len(*batch), maxBatch)
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
	for i := 0; ; i++ {
		if i == len(*batch) {
			if isolate {
				break
			}
			op, ok := db.more(*batch, relaxed)
			if !ok {
				break
			}
			*batch = append(*batch, op)
			errs = append(errs, nil)
		}
		if !isolate && (*batch)[i].group != nil {
			// Let the writes waiting now join the group.
			for op, ok := db.more(*batch, relaxed); ok; op, ok = db.more(*batch, relaxed) {
				*batch = append(*batch, op)
				errs = append(errs, nil)
			}
		}
		op := (*batch)[i]
		if n := groupRun(*batch, i, isolate); n > 1 {
			if err := op.group.Run(wtx, items((*batch)[i:i+n])); err != nil {
				_ = tx.Rollback()
				for k := i; k < i+n; k++ {
					errs[k] = err
				}
				return errs, false // write by write, the batch finds the failing one
			}
			i += n - 1
			continue
		}
		if !isolate {
			if errs[i] = op.fn(wtx); errs[i] != nil {
				_ = tx.Rollback()
				return errs, len(*batch) == 1
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

// groupRun is how many writes from batch[i] on run together through its
// group: its neighbours sharing the group. Isolated runs take every write
// alone.
func groupRun(batch []writeOp, i int, isolate bool) int {
	g := batch[i].group
	if isolate || g == nil {
		return 1
	}
	n := 1
	for i+n < len(batch) && batch[i+n].group == g {
		n++
	}
	return n
}

func items(ops []writeOp) []any {
	out := make([]any, len(ops))
	for i, op := range ops {
		out[i] = op.item
	}
	return out
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
