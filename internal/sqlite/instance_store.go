package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/instance"
	"github.com/wagateway/wagateway/internal/message"
)

const instanceColumns = `name, webhook_url, webhook_secret, state, phone_number, connected_at, created_at,
	typing_simulation, receive_groups, reject_calls, webhook_events`

// CreateInstance implements gateway.InstanceStore.
func (s *Store) CreateInstance(ctx context.Context, in instance.Instance) error {
	events, err := eventsColumn(in.WebhookEvents)
	if err != nil {
		return err
	}
	err = s.db.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`INSERT INTO instances(name, tenant_id, client_id, webhook_url, webhook_secret, state,
			phone_number, connected_at, created_at, typing_simulation, receive_groups, reject_calls, webhook_events)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			in.Name.String(), in.Name.Tenant, in.Name.Client, in.WebhookURL, in.WebhookSecret, string(in.State),
			nullString(in.PhoneNumber), nullMS(in.ConnectedAt), ms(in.CreatedAt),
			in.Settings.TypingSimulation, in.Settings.ReceiveGroups, in.Settings.RejectCalls, events)
		return err
	})
	switch {
	case isConstraint(err, "unique"):
		return fmt.Errorf("instance %s: %w", in.Name, fault.ErrConflict)
	case isConstraint(err, "foreign"):
		return fmt.Errorf("tenant %s: %w", in.Name.Tenant, fault.ErrNotFound)
	}
	return err
}

// eventsColumn encodes a webhook event filter for webhook_events: NULL
// for nil (no filter), a JSON array otherwise, "[]" included (a filter
// that takes no event must not read back as no filter).
func eventsColumn(events []string) (sql.NullString, error) {
	if events == nil {
		return sql.NullString{}, nil
	}
	b, err := json.Marshal(events)
	if err != nil {
		return sql.NullString{}, fmt.Errorf("encode webhook events: %w", err)
	}
	return sql.NullString{String: string(b), Valid: true}, nil
}

// eventsOf decodes webhook_events; see eventsColumn.
func eventsOf(col sql.NullString) ([]string, error) {
	if !col.Valid {
		return nil, nil
	}
	events := []string{}
	if err := json.Unmarshal([]byte(col.String), &events); err != nil {
		return nil, fmt.Errorf("stored webhook events %q: %w", col.String, err)
	}
	return events, nil
}

type rowScanner interface{ Scan(dest ...any) error }

func scanInstance(row rowScanner) (instance.Instance, error) {
	var in instance.Instance
	var name, state string
	var phone sql.NullString
	var connected sql.NullInt64
	var created int64
	var typing, groups, calls sql.NullBool
	var events sql.NullString
	if err := row.Scan(&name, &in.WebhookURL, &in.WebhookSecret, &state, &phone, &connected, &created,
		&typing, &groups, &calls, &events); err != nil {
		return instance.Instance{}, err
	}
	n, err := instance.ParseName(name)
	if err != nil {
		return instance.Instance{}, fmt.Errorf("stored instance name %q: %w", name, err)
	}
	if in.WebhookEvents, err = eventsOf(events); err != nil {
		return instance.Instance{}, fmt.Errorf("instance %s: %w", name, err)
	}
	in.Name, in.State, in.PhoneNumber = n, instance.State(state), phone.String
	in.ConnectedAt, in.CreatedAt = fromMS(connected), time.UnixMilli(created).UTC()
	in.Settings = instance.SettingsPatch{TypingSimulation: setBool(typing), ReceiveGroups: setBool(groups),
		RejectCalls: setBool(calls)}.Apply(instance.DefaultSettings())
	return in, nil
}

// setBool is a stored setting: NULL (never set) leaves the default.
func setBool(b sql.NullBool) *bool {
	if !b.Valid {
		return nil
	}
	return &b.Bool
}

// GetInstance implements gateway.InstanceStore.
func (s *Store) GetInstance(ctx context.Context, name string) (instance.Instance, error) {
	in, err := scanInstance(s.db.queryRow(ctx,
		`SELECT `+instanceColumns+` FROM instances WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return instance.Instance{}, fmt.Errorf("instance %s: %w", name, fault.ErrNotFound)
	}
	if err != nil {
		return instance.Instance{}, fmt.Errorf("get instance %s: %w", name, err)
	}
	return in, nil
}

// ListInstances implements gateway.InstanceStore.
func (s *Store) ListInstances(ctx context.Context, tenantID, clientID string) ([]instance.Instance, error) {
	q := `SELECT ` + instanceColumns + ` FROM instances WHERE tenant_id = ?`
	args := []any{tenantID}
	if clientID != "" {
		q += ` AND client_id = ?`
		args = append(args, clientID)
	}
	return s.instances(ctx, q+` ORDER BY name`, args...)
}

// instances runs a query over instanceColumns and scans every row.
func (s *Store) instances(ctx context.Context, query string, args ...any) ([]instance.Instance, error) {
	rows, err := s.db.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list instances: %w", err)
	}
	out, err := scanAll(rows, scanInstance)
	if err != nil {
		return nil, fmt.Errorf("list instances: %w", err)
	}
	return out, nil
}

// scanAll scans every row with scan and closes rows; never nil.
func scanAll[T any](rows *sql.Rows, scan func(rowScanner) (T, error)) ([]T, error) {
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			_ = rows.Close()
			return nil, err
		}
		out = append(out, v)
	}
	return out, errors.Join(rows.Err(), rows.Close())
}

// UpdateWebhook implements gateway.InstanceStore.
func (s *Store) UpdateWebhook(ctx context.Context, name, url, secret string, events []string) error {
	col, err := eventsColumn(events)
	if err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(`UPDATE instances SET webhook_url = ?, webhook_secret = ?, webhook_events = ? WHERE name = ?`,
			url, secret, col, name)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("instance %s: %w", name, fault.ErrNotFound)
		}
		return nil
	})
}

// UpdateSettings implements gateway.InstanceStore: COALESCE keeps the
// fields p leaves nil, in the same statement.
func (s *Store) UpdateSettings(ctx context.Context, name string, p instance.SettingsPatch) error {
	return s.db.Write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(`UPDATE instances SET typing_simulation = COALESCE(?, typing_simulation),
			receive_groups = COALESCE(?, receive_groups), reject_calls = COALESCE(?, reject_calls) WHERE name = ?`,
			p.TypingSimulation, p.ReceiveGroups, p.RejectCalls, name)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("instance %s: %w", name, fault.ErrNotFound)
		}
		return nil
	})
}

// DeleteInstance implements gateway.InstanceStore.
func (s *Store) DeleteInstance(ctx context.Context, name string, at time.Time) (int, error) {
	var failed int64
	err := s.db.Write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(`DELETE FROM instances WHERE name = ?`, name)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("instance %s: %w", name, fault.ErrNotFound)
		}
		res, err = tx.Exec(`UPDATE messages SET status = ?, error = ?, updated_at = ? WHERE instance_name = ? AND `+withdrawable,
			string(message.Failed), message.ErrorInstanceDeleted, ms(at), name, string(message.Pending), ms(at))
		if err != nil {
			return err
		}
		failed, _ = res.RowsAffected()
		// Other people's messages are kept to serve this instance only.
		_, err = tx.Exec(`DELETE FROM received_messages WHERE instance_name = ?`, name)
		return err
	})
	return int(failed), err
}
