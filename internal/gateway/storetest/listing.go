package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/message"
)

// lister holds what the listing cases write and read.
type lister struct {
	t   *testing.T
	s   SessionStore
	now time.Time
}

// out stores an outbound message of inst created at t0+at, to chat.
func (l lister) out(inst, id string, at time.Duration, chat string) message.Message {
	l.t.Helper()
	m := newMessage("acme", inst, "normal")
	m.ID, m.CreatedAt, m.To = id, t0.Add(at), chat
	require.NoError(l.t, l.s.CreateMessage(context.Background(), m, nil))
	return m
}

// in keeps an inbound message of inst received at t0+at in chat.
func (l lister) in(inst, waID string, at time.Duration, chat string) message.Received {
	l.t.Helper()
	r := message.Received{Instance: inst, WAMessageID: waID, Chat: chat, From: "5491112345678", Type: "conversation",
		Text: "hola " + waID, ReceivedAt: t0.Add(at), Payload: []byte(`{"messageId":"` + waID + `","chat":"` + chat + `"}`)}
	require.NoError(l.t, l.s.AddReceived(context.Background(), r, newEvent(inst, "message.received", at)))
	return r
}

// list returns the positions ("out:id", "in:id") of one page, and the
// cursor of the next ("" if none), checking each item against its
// message as stored.
func (l lister) list(inst string, q message.ListQuery) ([]string, message.Cursor) {
	l.t.Helper()
	ctx := context.Background()
	items, more, err := l.s.ListMessages(ctx, inst, q, l.now)
	require.NoError(l.t, err)
	require.LessOrEqual(l.t, len(items), q.Limit)
	var got []string
	for _, it := range items {
		require.True(l.t, (it.In == nil) != (it.Out == nil), "one direction per item")
		got = append(got, fmt.Sprintf("%s:%s", it.Direction(), it.ID()))
		if it.Out != nil {
			m, err := l.s.GetMessage(ctx, it.Out.ID)
			require.NoError(l.t, err)
			require.Equal(l.t, m, *it.Out, "an outbound item is the message as GetMessage reads it")
		} else {
			require.Equal(l.t, inst, it.In.Instance)
			require.Equal(l.t, `{"messageId":"`+it.In.WAMessageID+`","chat":"`+it.In.Chat+`"}`, string(it.In.Payload),
				"an inbound item carries its payload verbatim")
		}
	}
	if !more {
		return got, message.Cursor{}
	}
	require.NotEmpty(l.t, items, "more without items")
	return got, items[len(items)-1].Cursor()
}

// all pages through the whole listing, limit items a page.
func (l lister) all(inst string, q message.ListQuery) []string {
	l.t.Helper()
	var out []string
	for {
		page, next := l.list(inst, q)
		out = append(out, page...)
		if next.IsZero() {
			return out
		}
		q.After = next
	}
}

// Ids of outbound messages: any string our ids could be; fixed, so ties
// on the same millisecond order predictably.
const (
	idA = "00000000-0000-4000-8000-00000000000a"
	idB = "00000000-0000-4000-8000-00000000000b"
	idC = "00000000-0000-4000-8000-00000000000c"
	idD = "00000000-0000-4000-8000-00000000000d"
)

const (
	peer  = "5491112345678"
	peer2 = "5491100000009"
	group = "120363025246125486@g.us"
)

// listing: GET /instance/{name}/messages's port. Newest first by time
// (ms), on the same ms outbound before inbound and higher ids first; the
// direction and chat filters; limit and more; a cursor continues right
// after its item, also when newer messages arrived in between; expired
// and payload-less inbound messages and other instances' messages are
// never listed.
func listing(t *testing.T, s SessionStore) {
	mustTenant(t, s, "acme")
	mustInstance(t, s, "acme__c__a")
	mustInstance(t, s, "acme__c__b")
	l := lister{t: t, s: s, now: t0.Add(time.Hour)}
	ms := time.Millisecond

	l.out("acme__c__a", idA, 1*ms, peer)
	l.in("acme__c__a", "3EB0AAAA", 2*ms, peer)
	// One millisecond, four messages (and sub-millisecond times, which
	// the stores keep to the ms): out before in, then by id, descending.
	l.out("acme__c__a", idB, 5*ms+100*time.Microsecond, peer2)
	l.out("acme__c__a", idC, 5*ms+900*time.Microsecond, group)
	l.in("acme__c__a", "3EB0BBBB", 5*ms, group)
	l.in("acme__c__a", "3EB0CCCC", 5*ms+500*time.Microsecond, peer)
	l.out("acme__c__a", idD, 7*ms, peer)
	// Never listed for a: another instance's, an expired one, one kept
	// before payloads were.
	l.out("acme__c__b", "00000000-0000-4000-8000-0000000000ff", 3*ms, peer)
	l.in("acme__c__b", "3EB0FFFF", 3*ms, peer)
	expired := message.Received{Instance: "acme__c__a", WAMessageID: "3EB0DEAD", Chat: peer, From: peer, Type: "conversation",
		ReceivedAt: t0.Add(6 * ms), Expires: l.now, Payload: []byte(`{"messageId":"3EB0DEAD","chat":"` + peer + `"}`)}
	require.NoError(t, s.AddReceived(context.Background(), expired, newEvent("acme__c__a", "message.received", 0)))
	bare := message.Received{Instance: "acme__c__a", WAMessageID: "3EB0BA4E", Chat: peer, From: peer, Type: "conversation",
		ReceivedAt: t0.Add(6 * ms)}
	require.NoError(t, s.AddReceived(context.Background(), bare, newEvent("acme__c__a", "message.received", 0)))

	everything := []string{"out:" + idD, "out:" + idC, "out:" + idB, "in:3EB0CCCC", "in:3EB0BBBB", "in:3EB0AAAA", "out:" + idA}
	for name, tc := range map[string]struct {
		q    message.ListQuery
		want []string
	}{
		"all, newest first":  {message.ListQuery{}, everything},
		"outbound only":      {message.ListQuery{Direction: message.Out}, []string{"out:" + idD, "out:" + idC, "out:" + idB, "out:" + idA}},
		"inbound only":       {message.ListQuery{Direction: message.In}, []string{"in:3EB0CCCC", "in:3EB0BBBB", "in:3EB0AAAA"}},
		"one chat":           {message.ListQuery{Chat: peer}, []string{"out:" + idD, "in:3EB0CCCC", "in:3EB0AAAA", "out:" + idA}},
		"a group":            {message.ListQuery{Chat: group}, []string{"out:" + idC, "in:3EB0BBBB"}},
		"chat and direction": {message.ListQuery{Chat: peer, Direction: message.In}, []string{"in:3EB0CCCC", "in:3EB0AAAA"}},
		"a chat with none":   {message.ListQuery{Chat: "5491199999999"}, nil},
	} {
		t.Run(name, func(t *testing.T) {
			l := l
			l.t = t
			for _, limit := range []int{1, 2, 3, len(tc.want), message.MaxListLimit} {
				if limit < 1 {
					continue
				}
				q := tc.q
				q.Limit = limit
				require.Equal(t, tc.want, l.all("acme__c__a", q), "pages of %d", limit)
			}
		})
	}

	t.Run("limit and more", func(t *testing.T) {
		l := l
		l.t = t
		page, next := l.list("acme__c__a", message.ListQuery{Limit: 1})
		require.Equal(t, everything[:1], page)
		require.Equal(t, message.Cursor{At: t0.Add(7 * ms), Direction: message.Out, ID: idD}, next)
		page, next = l.list("acme__c__a", message.ListQuery{Limit: len(everything)})
		require.Equal(t, everything, page)
		require.True(t, next.IsZero(), "no next page when the last item is on this one")
		page, next = l.list("acme__c__a", message.ListQuery{Limit: len(everything) - 1})
		require.Equal(t, everything[:len(everything)-1], page)
		require.False(t, next.IsZero())
	})

	t.Run("a cursor of each direction", func(t *testing.T) {
		l := l
		l.t = t
		// A page starts right after the cursor's position, whether or not
		// a message is (still) there.
		for _, tc := range []struct {
			after message.Cursor
			from  int // the page is everything[from:]
		}{
			{message.Cursor{At: t0.Add(5 * ms), Direction: message.Out, ID: idC}, 2},
			{message.Cursor{At: t0.Add(5 * ms), Direction: message.Out, ID: idB + "0"}, 2},
			{message.Cursor{At: t0.Add(5 * ms), Direction: message.Out, ID: "0"}, 3},
			{message.Cursor{At: t0.Add(5 * ms), Direction: message.In, ID: "3EB0CCCC"}, 4},
			{message.Cursor{At: t0.Add(5 * ms), Direction: message.In, ID: "3EB0ZZZZ"}, 3},
			{message.Cursor{At: t0.Add(6 * ms), Direction: message.In, ID: "3EB0"}, 1},
			{message.Cursor{At: t0.Add(2 * ms), Direction: message.In, ID: "3EB0AAAA"}, 6},
			{message.Cursor{At: t0, Direction: message.Out, ID: idA}, 7},
		} {
			page, next := l.list("acme__c__a", message.ListQuery{Limit: message.MaxListLimit, After: tc.after})
			want := everything[tc.from:]
			if len(want) == 0 {
				want = nil
			}
			require.Equal(t, want, page, "after %+v", tc.after)
			require.True(t, next.IsZero())
		}
	})

	t.Run("expiry", func(t *testing.T) {
		l := l
		l.t = t
		l.now = expired.Expires.Add(-time.Millisecond)
		got := l.all("acme__c__a", message.ListQuery{Limit: 3, Direction: message.In})
		require.Equal(t, []string{"in:3EB0DEAD", "in:3EB0CCCC", "in:3EB0BBBB", "in:3EB0AAAA"}, got,
			"listed until it expires")
	})

	t.Run("new messages between pages", func(t *testing.T) {
		l := l
		l.t = t
		page, next := l.list("acme__c__a", message.ListQuery{Limit: 2})
		got := page
		// Newer messages arrive, in both directions, one of them on the
		// millisecond of the newest listed: the next pages go on where the
		// last one ended.
		l.out("acme__c__a", "00000000-0000-4000-8000-0000000000e0", 7*ms, peer)
		l.in("acme__c__a", "3EB0EEEE", 8*ms, peer)
		l.out("acme__c__a", "00000000-0000-4000-8000-0000000000e1", 9*ms, peer)
		for !next.IsZero() {
			page, next = l.list("acme__c__a", message.ListQuery{Limit: 2, After: next})
			got = append(got, page...)
		}
		require.Equal(t, everything, got, "no duplicates, no gaps")
		require.Equal(t, []string{"out:00000000-0000-4000-8000-0000000000e1", "in:3EB0EEEE",
			"out:00000000-0000-4000-8000-0000000000e0"}, l.all("acme__c__a", message.ListQuery{Limit: 3})[:3],
			"a fresh first page shows them")
	})

	t.Run("other instance", func(t *testing.T) {
		l := l
		l.t = t
		require.Equal(t, []string{"out:00000000-0000-4000-8000-0000000000ff", "in:3EB0FFFF"},
			l.all("acme__c__b", message.ListQuery{Limit: 10}))
		require.Empty(t, l.all("acme__c__nobody", message.ListQuery{Limit: 10}))
	})
}

// deleteReceived: DeleteInstance deletes the instance's received
// messages, and nothing of another instance; its outbound messages stay
// readable by id.
func deleteReceived(t *testing.T, s SessionStore) {
	ctx := context.Background()
	mustTenant(t, s, "acme")
	mustInstance(t, s, "acme__c__a")
	mustInstance(t, s, "acme__c__b")
	l := lister{t: t, s: s, now: t0.Add(time.Hour)}
	var kept []string
	// More than one delete batch (DynamoDB deletes 25 at a time).
	for i := range 30 {
		kept = append(kept, l.in("acme__c__a", fmt.Sprintf("3EB0%04d", i), time.Duration(i)*time.Millisecond, peer).WAMessageID)
	}
	sent := l.out("acme__c__a", idA, 0, peer)
	other := l.in("acme__c__b", "3EB00000", 0, peer)
	otherOut := l.out("acme__c__b", idB, 0, peer)

	_, err := s.DeleteInstance(ctx, "acme__c__a", t0.Add(time.Second))
	require.NoError(t, err)
	for _, id := range kept {
		_, err := s.GetReceived(ctx, "acme__c__a", id, t0)
		require.ErrorIs(t, err, fault.ErrNotFound, "deleted with its instance: %s", id)
	}
	_, err = s.GetMessage(ctx, sent.ID)
	require.NoError(t, err, "outbound messages stay readable")
	_, err = s.GetReceived(ctx, "acme__c__b", other.WAMessageID, t0)
	require.NoError(t, err, "another instance's received message stays (same WhatsApp id as one deleted)")
	require.Equal(t, []string{"out:" + otherOut.ID, "in:" + other.WAMessageID}, l.all("acme__c__b", message.ListQuery{Limit: 10}))
}
