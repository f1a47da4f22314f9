package queuetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// This file holds the cases about how Receive hands messages out: batch
// limits, long polling, and several groups or receivers at once.

func maxAndSeveralGroups(t *testing.T, ctx context.Context, q Queue) {
	const groups = 12 // more than one Receive may return
	for i := range groups {
		send(t, ctx, q, fmt.Sprint("g", i), fmt.Sprint("d", i), fmt.Sprint("m", i))
	}
	one := receive(t, ctx, q, 1, hold)
	require.Len(t, one, 1)

	// Heads of different groups are in flight together; each call stays
	// within max.
	seen := map[string]bool{one[0].GroupID: true}
	for calls := 0; len(seen) < groups; calls++ {
		require.Less(t, calls, 2*groups, "did not receive every group")
		for _, d := range receive(t, ctx, q, 3, hold) {
			require.False(t, seen[d.GroupID], "group %s handed out twice", d.GroupID)
			seen[d.GroupID] = true
		}
	}
	receiveNone(t, ctx, q)
}

func longPoll(t *testing.T, ctx context.Context, q Queue) {
	go func() {
		time.Sleep(300 * time.Millisecond)
		_ = q.Send(ctx, "g", "d", []byte("late")) // a failure shows up as an empty Receive
	}()
	start := time.Now()
	ds, err := q.Receive(ctx, 1, hold, 5*time.Second)
	require.NoError(t, err)
	require.Equal(t, []string{"late"}, bodies(ds))
	require.Less(t, time.Since(start), 2*time.Second, "a waiting Receive returns as the message arrives")
	require.NoError(t, q.Delete(ctx, ds[0].Receipt))

	start = time.Now()
	ds, err = q.Receive(ctx, 1, hold, time.Second)
	require.NoError(t, err)
	require.Empty(t, ds)
	elapsed := time.Since(start)
	require.GreaterOrEqual(t, elapsed, 800*time.Millisecond, "an empty long poll waits")
	require.Less(t, elapsed, 3*time.Second, "an empty long poll ends with its wait")
}

func receiveHonoursContext(t *testing.T, ctx context.Context, q Queue) {
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	ds, err := q.Receive(short, 1, hold, 5*time.Second)
	require.Error(t, err, "a Receive cut short by its context reports it")
	require.Empty(t, ds)
	require.Less(t, time.Since(start), 2*time.Second)
}

func interleavedGroupsKeepOrder(t *testing.T, ctx context.Context, q Queue) {
	const groups, per = 3, 5
	for i := range per {
		for g := range groups {
			send(t, ctx, q, fmt.Sprint("g", g), fmt.Sprint("d", g, "-", i), fmt.Sprint(i))
		}
	}
	got := map[string][]string{}
	for n := 0; n < groups*per; {
		for _, d := range receive(t, ctx, q, 10, hold) {
			got[d.GroupID] = append(got[d.GroupID], string(d.Body))
			require.NoError(t, q.Delete(ctx, d.Receipt))
			n++
		}
	}
	for g := range groups {
		require.Equal(t, []string{"0", "1", "2", "3", "4"}, got[fmt.Sprint("g", g)])
	}
}

func concurrentReceivers(t *testing.T, ctx context.Context, q Queue) {
	const groups, per, workers = 10, 5, 4
	for i := range per {
		for g := range groups {
			send(t, ctx, q, fmt.Sprint("g", g), fmt.Sprint("d", g, "-", i), fmt.Sprint(i))
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var (
		mu   sync.Mutex
		next = map[string]int{} // per group: the index expected next
		done int
		errs []error
	)
	// take records a delivery, checking that it is its group's next message:
	// a message handed out twice, or out of order, breaks that.
	take := func(group, body string) error {
		mu.Lock()
		defer mu.Unlock()
		if want := fmt.Sprint(next[group]); body != want {
			return fmt.Errorf("group %s: got message %s, want %s", group, body, want)
		}
		next[group]++
		return nil
	}
	finish := func() {
		mu.Lock()
		defer mu.Unlock()
		if done++; done == groups*per {
			cancel()
		}
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			err := func() error {
				for ctx.Err() == nil {
					ds, err := q.Receive(ctx, 10, hold, time.Second)
					if err != nil {
						return err
					}
					for _, d := range ds {
						if err := take(d.GroupID, string(d.Body)); err != nil {
							return err
						}
						if err := q.Delete(ctx, d.Receipt); err != nil {
							return err
						}
						finish()
					}
				}
				return nil
			}()
			if err != nil && ctx.Err() == nil {
				cancel()
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	require.NoError(t, errors.Join(errs...))
	require.Equal(t, groups*per, done, "every message processed exactly once")
	for g := range groups {
		require.Equal(t, per, next[fmt.Sprint("g", g)])
	}
}
