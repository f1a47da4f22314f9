package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/wagateway/wagateway/internal/numbercheck"
)

// ReserveNumberChecks implements gateway.NumberCheckStore. The read,
// numbercheck's decision and the write run in one write transaction, and
// the single writer runs those one at a time, so concurrent reservations
// cannot both pass the limit. The write is durable (fsync): a restart
// must not forget checks and reset the limit.
func (s *Store) ReserveNumberChecks(ctx context.Context, instance string, n int, now time.Time) (time.Duration, bool, error) {
	var d numbercheck.Decision
	err := s.db.Write(ctx, func(tx *Tx) error {
		var uses []numbercheck.Use
		var blob []byte
		err := tx.QueryRow(`SELECT uses FROM number_checks WHERE instance_name = ?`, instance).Scan(&blob)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return fmt.Errorf("read number checks: %w", err)
		default:
			if uses, err = numbercheck.Decode(blob); err != nil {
				return err
			}
		}
		if d, err = numbercheck.Reserve(uses, n, now); err != nil || !d.OK {
			return err
		}
		// Uses are oldest first: the last one leaves the window last.
		expires := d.Uses[len(d.Uses)-1].At.Add(numbercheck.Window)
		if _, err := tx.Exec(`INSERT INTO number_checks(instance_name, uses, expires_at) VALUES (?, ?, ?)
			ON CONFLICT(instance_name) DO UPDATE SET uses = excluded.uses, expires_at = excluded.expires_at`,
			instance, numbercheck.Encode(d.Uses), ms(expires)); err != nil {
			return fmt.Errorf("write number checks: %w", err)
		}
		// Rows of instances that stopped checking (or were deleted) would
		// otherwise stay forever; they hold nothing that still counts.
		if _, err := tx.Exec(`DELETE FROM number_checks WHERE expires_at <= ?`, ms(now)); err != nil {
			return fmt.Errorf("purge number checks: %w", err)
		}
		return nil
	})
	if err != nil {
		return 0, false, fmt.Errorf("reserve %d number checks for %s: %w", n, instance, err)
	}
	return d.Wait, d.OK, nil
}
