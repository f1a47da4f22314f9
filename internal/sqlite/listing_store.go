package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/wagateway/wagateway/internal/lane"
	"github.com/wagateway/wagateway/internal/message"
)

// The two sides of the listing, as one row shape: the outbound columns
// are NULL on inbound rows and the other way round. dir, at and id come
// first; they are the listing order, and named on both sides, as either
// side may be the statement's only one.
const (
	listOutColumns = `'out' AS dir, created_at AS at, id, tenant_id, lane, to_number AS chat, type, content, status,
		error, sent_at, delivered_at, read_at, sending_until, edited_at, revoked_at,
		NULL AS from_number, NULL AS text, NULL AS payload, NULL AS expires_at`
	listInColumns = `'in' AS dir, received_at AS at, wa_id AS id, NULL, NULL, chat, type, NULL, NULL,
		NULL, NULL, NULL, NULL, NULL, NULL, NULL,
		from_number, text, payload, expires_at`
)

// ListMessages implements gateway.MessageLister: one statement, a UNION
// ALL of the two tables, each side a keyset range (the rows after
// q.After) read in order from its listing index (migration 0013) and cut
// at limit+1, merged in the listing order. The extra row only tells
// whether there is more. Inbound rows without a payload (kept before
// payloads were) are not listed: they have no message.received data to
// show, and expire within the retention.
func (s *Store) ListMessages(ctx context.Context, instance string, q message.ListQuery, now time.Time) ([]message.Listed, bool, error) {
	if q.Limit <= 0 {
		return nil, false, nil
	}
	query, args := listQuery(instance, q, now)
	rows, err := s.db.query(ctx, query, args...)
	if err != nil {
		return nil, false, fmt.Errorf("list messages of %s: %w", instance, err)
	}
	defer rows.Close()
	var out []message.Listed
	for rows.Next() {
		l, err := scanListed(rows, instance)
		if err != nil {
			return nil, false, fmt.Errorf("list messages of %s: %w", instance, err)
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("list messages of %s: %w", instance, err)
	}
	if len(out) > q.Limit {
		return out[:q.Limit], true, nil
	}
	return out, false, nil
}

// listQuery is ListMessages' statement and its arguments.
func listQuery(instance string, q message.ListQuery, now time.Time) (string, []any) {
	n := q.Limit + 1
	var parts []string
	var args []any
	if q.Direction != message.In {
		where, a := listRange(q, message.Out, "created_at", "id", "to_number")
		parts = append(parts, `SELECT * FROM (SELECT `+listOutColumns+` FROM messages
			WHERE instance_name = ?`+where+` ORDER BY created_at DESC, id DESC LIMIT ?)`)
		args = append(append(append(args, instance), a...), n)
	}
	if q.Direction != message.Out {
		where, a := listRange(q, message.In, "received_at", "wa_id", "chat")
		parts = append(parts, `SELECT * FROM (SELECT `+listInColumns+` FROM received_messages
			WHERE instance_name = ? AND expires_at > ? AND payload IS NOT NULL`+where+`
			ORDER BY received_at DESC, wa_id DESC LIMIT ?)`)
		args = append(append(append(args, instance, ms(now)), a...), n)
	}
	return strings.Join(parts, " UNION ALL ") + ` ORDER BY at DESC, dir DESC, id DESC LIMIT ?`, append(args, n)
}

// listRange is the condition (and its arguments) that keeps, of one
// side of the listing, the rows after q.After and of q.Chat. The
// direction is constant on each side, so the keyset comparison of
// (at, dir, id) reduces to one on (at, id) or on at alone, which the
// index serves as a range: on the same millisecond "out" rows come
// before "in" rows.
func listRange(q message.ListQuery, side message.Direction, atCol, idCol, chatCol string) (string, []any) {
	var where string
	var args []any
	if q.Chat != "" {
		where += ` AND ` + chatCol + ` = ?`
		args = append(args, q.Chat)
	}
	if c := q.After; !c.IsZero() {
		at := c.At.UnixMilli()
		switch {
		case c.Direction == side:
			where += ` AND (` + atCol + `, ` + idCol + `) < (?, ?)`
			args = append(args, at, c.ID)
		case side == message.Out: // the cursor is an inbound row: every outbound one of its ms came before
			where += ` AND ` + atCol + ` < ?`
			args = append(args, at)
		default: // the cursor is an outbound row: the inbound ones of its ms come after it
			where += ` AND ` + atCol + ` <= ?`
			args = append(args, at)
		}
	}
	return where, args
}

func scanListed(rows *sql.Rows, instance string) (message.Listed, error) {
	var dir, id, chat, typ string
	var at int64
	var tenant, l, content, status, errText, from, text, payload sql.NullString
	var sent, delivered, read, sending, edited, revoked, expires sql.NullInt64
	if err := rows.Scan(&dir, &at, &id, &tenant, &l, &chat, &typ, &content, &status, &errText,
		&sent, &delivered, &read, &sending, &edited, &revoked, &from, &text, &payload, &expires); err != nil {
		return message.Listed{}, err
	}
	if message.Direction(dir) == message.In {
		return message.Listed{In: &message.Received{Instance: instance, WAMessageID: id, Chat: chat, From: from.String,
			Type: typ, Text: text.String, ReceivedAt: time.UnixMilli(at).UTC(), Expires: fromMS(expires),
			Payload: []byte(payload.String)}}, nil
	}
	m := message.Message{ID: id, Tenant: tenant.String, Instance: instance, Lane: lane.Lane(l.String), To: chat,
		Type: message.Type(typ), Status: message.Status(status.String), Error: errText.String,
		CreatedAt: time.UnixMilli(at).UTC(), SentAt: fromMS(sent), DeliveredAt: fromMS(delivered), ReadAt: fromMS(read),
		SendingUntil: fromMS(sending), EditedAt: fromMS(edited), RevokedAt: fromMS(revoked)}
	if err := json.Unmarshal([]byte(content.String), &m.Content); err != nil {
		return message.Listed{}, fmt.Errorf("decode message %s: %w", id, err)
	}
	return message.Listed{Out: &m}, nil
}
