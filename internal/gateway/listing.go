package gateway

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/wagateway/wagateway/internal/chat"
	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/message"
)

// MessageLister lists an instance's messages, both directions, for
// GET /instance/{name}/messages.
type MessageLister interface {
	// ListMessages returns up to q.Limit of instance's messages in the
	// listing order (message.Cursor), starting after q.After: outbound
	// ones and inbound ones kept with a payload that had not expired at
	// now, filtered by q.Direction and q.Chat. more reports whether
	// another item follows the last one returned. Paging by the last
	// item's cursor neither repeats nor skips a message, also while new
	// ones arrive.
	ListMessages(ctx context.Context, instance string, q message.ListQuery, now time.Time) (items []message.Listed, more bool, err error)
}

// MessagePage is one page of GET /instance/{name}/messages.
type MessagePage struct {
	Items []message.Listed
	// Next is the cursor of the next page, "" after the last one.
	Next string
}

// listParams are the query parameters GET /instance/{name}/messages
// takes; any other is refused, so a misspelt filter is not silently
// ignored (and the whole instance listed instead).
var listParams = []string{"direction", "chat", "limit", "cursor"}

// Messages lists an instance's messages newest first: query holds the
// request's query parameters (direction, chat, limit, cursor).
func (s *Service) Messages(ctx context.Context, tenantID, rawName string, query map[string][]string) (MessagePage, error) {
	q, err := parseListQuery(query)
	if err != nil {
		return MessagePage{}, err
	}
	inst, err := s.Instance(ctx, tenantID, rawName)
	if err != nil {
		return MessagePage{}, err
	}
	items, more, err := s.store.ListMessages(ctx, inst.Name.String(), q, s.clock.Now())
	if err != nil {
		return MessagePage{}, fmt.Errorf("list messages of %s: %w", inst.Name, err)
	}
	page := MessagePage{Items: items}
	if more && len(items) > 0 {
		page.Next = items[len(items)-1].Cursor().Encode()
	}
	return page, nil
}

// parseListQuery validates the query parameters, reporting every problem
// at its parameter's name. A parameter given empty or twice is refused
// rather than guessed at.
func parseListQuery(query map[string][]string) (message.ListQuery, error) {
	q := message.ListQuery{Limit: message.DefaultListLimit}
	var issues fault.Issues
	keys := make([]string, 0, len(query))
	for k := range query {
		keys = append(keys, k)
	}
	slices.Sort(keys) // issues in a stable order
	for _, k := range keys {
		vs := query[k]
		if !slices.Contains(listParams, k) {
			issues.Add("Unknown query parameter; known: direction, chat, limit, cursor", k)
			continue
		}
		if len(vs) != 1 {
			issues.Add("Must be given once", k)
			continue
		}
		v := vs[0]
		switch k {
		case "direction":
			if q.Direction = message.Direction(v); !q.Direction.Valid() {
				issues.Add("Must be in or out (leave it out for both)", k)
			}
		case "chat":
			if q.Chat = v; !chat.Valid(v) {
				issues.Add(chat.FormatMessage, k)
			}
		case "limit":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > message.MaxListLimit {
				issues.Add(fmt.Sprintf("Must be a whole number from 1 to %d", message.MaxListLimit), k)
			}
			q.Limit = n
		case "cursor":
			c, err := message.ParseCursor(v)
			if err != nil {
				issues.Add("Must be a nextCursor of an earlier page, unchanged", k)
			}
			q.After = c
		}
	}
	return q, issues.Err()
}
