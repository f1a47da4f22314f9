package sqlite

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/message"
)

// TestListingUsesIndexes: every side of the listing statement reads its
// rows in order from a listing index (migration 0013), whatever the
// filters and cursor, so a page never sorts or scans an instance's whole
// history; only the merge of the two sides (at most limit+1 rows each)
// sorts.
func TestListingUsesIndexes(t *testing.T) {
	db := openQueueDB(t)
	now := time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)
	after := func(d message.Direction) message.Cursor {
		return message.Cursor{At: now, Direction: d, ID: "X"}
	}
	for name, q := range map[string]message.ListQuery{
		"both":                  {Limit: 50},
		"out":                   {Limit: 50, Direction: message.Out},
		"in":                    {Limit: 50, Direction: message.In},
		"chat":                  {Limit: 50, Chat: "5491112345678"},
		"after an outbound one": {Limit: 50, After: after(message.Out)},
		"after an inbound one":  {Limit: 50, After: after(message.In)},
		"chat after a cursor":   {Limit: 50, Chat: "5491112345678", After: after(message.In)},
	} {
		t.Run(name, func(t *testing.T) {
			query, args := listQuery("acme__c__a", q, now)
			rows, err := db.Read().QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+query, args...)
			require.NoError(t, err)
			defer rows.Close()
			var plan []string
			for rows.Next() {
				var id, parent, unused int
				var detail string
				require.NoError(t, rows.Scan(&id, &parent, &unused, &detail))
				plan = append(plan, detail)
			}
			require.NoError(t, rows.Err())
			text := strings.Join(plan, "\n")
			for _, table := range []struct {
				dir  message.Direction
				name string
			}{{message.Out, "messages"}, {message.In, "received_messages"}} {
				if q.Direction != "" && q.Direction != table.dir {
					continue
				}
				index := table.name + "_listing"
				if q.Chat != "" {
					index += "_chat"
				}
				require.Contains(t, text, fmt.Sprintf("SEARCH %s USING INDEX %s (", table.name, index), text)
			}
			for i, line := range plan {
				require.NotRegexp(t, `^SCAN (messages|received_messages)\b`, line, text)
				if strings.HasPrefix(line, "SEARCH") && i+1 < len(plan) {
					require.NotContains(t, plan[i+1], "TEMP B-TREE", "a side must come in index order:\n%s", text)
				}
			}
		})
	}
}
