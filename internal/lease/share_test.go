package lease_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/lease"
)

func TestPlan(t *testing.T) {
	now := time.Date(2031, 7, 1, 8, 0, 0, 0, time.UTC)
	held := func(inst, holder string) lease.Lease {
		return lease.Lease{Instance: inst, Holder: holder, Token: 1, Expires: now.Add(time.Second)}
	}
	expired := func(inst, holder string) lease.Lease {
		return lease.Lease{Instance: inst, Holder: holder, Token: 1, Expires: now}
	}
	names := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("i%02d", i)
		}
		return out
	}
	linked := names(12)
	cases := []struct {
		name   string
		holder string
		leases []lease.Lease
		want   int // how many claims
		shed   int
	}{
		{"alone, nothing leased: takes all", "h1", nil, 12, 0},
		{"alone, all held by me: nothing", "h1", leasesOf(linked, "h1", held), 0, 0},
		{"one other holds all: nothing free", "h2", leasesOf(linked, "h1", held), 0, 0},
		{"the other's leases expired: takes all", "h2", leasesOf(linked, "h1", expired), 12, 0},
		{"two others hold 4 each, 4 free: my share is 4", "h3",
			append(leasesOf(linked[:4], "h1", held), leasesOf(linked[4:8], "h2", held)...), 4, 0},
		{"two others hold 3 each, 6 free: I take my share, 4", "h3",
			append(leasesOf(linked[:3], "h1", held), leasesOf(linked[3:6], "h2", held)...), 4, 0},
		{"over my share: take none, give one up", "a",
			append(leasesOf(linked[:7], "a", held), leasesOf(linked[7:11], "b", held)...), 0, 1},
		{"under my share: the free one", "b",
			append(leasesOf(linked[:7], "a", held), leasesOf(linked[7:11], "b", held)...), 1, 0},
		{"dead holder's expired leases count for nobody", "a",
			append(leasesOf(linked[:4], "a", held), leasesOf(linked[4:], "dead", expired)...), 8, 0},
		{"a present host with no instance counts: share 6", "a",
			[]lease.Lease{held(lease.Presence(0, "b"), "b")}, 6, 0},
		{"holding all while two others are present: give one up", "a",
			append(leasesOf(linked, "a", held), held(lease.Presence(0, "b"), "b"), held(lease.Presence(0, "c"), "c")), 0, 1},
		{"over the share: give one up", "a",
			append(leasesOf(linked[:7], "a", held), held(lease.Presence(0, "b"), "b")), 0, 1},
		{"at the share: keep", "a",
			append(leasesOf(linked[:6], "a", held), held(lease.Presence(0, "b"), "b")), 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, shed := lease.Plan(c.holder, linked, c.leases, now, rand.New(rand.NewPCG(1, 2)))
			require.Len(t, got, c.want)
			require.Equal(t, c.shed, shed)
			for _, in := range got {
				for _, l := range c.leases {
					if l.Instance == in {
						require.False(t, l.HeldAt(now), "claims only free instances")
					}
				}
			}
		})
	}
}

func leasesOf(instances []string, holder string, mk func(inst, holder string) lease.Lease) []lease.Lease {
	var out []lease.Lease
	for _, in := range instances {
		out = append(out, mk(in, holder))
	}
	return out
}

// FuzzPlan: whatever the leases, claims are free, linked and distinct,
// and never take a holder past its share while others have room.
func FuzzPlan(f *testing.F) {
	f.Add(uint8(12), uint8(3), uint16(0x0f0f), uint64(7))
	f.Fuzz(func(t *testing.T, n, hosts uint8, heldMask uint16, seed uint64) {
		now := time.Date(2031, 7, 1, 8, 0, 0, 0, time.UTC)
		hosts = hosts%4 + 1
		var linked []string
		var leases []lease.Lease
		for i := range int(n % 16) {
			in := fmt.Sprintf("i%02d", i)
			linked = append(linked, in)
			if heldMask&(1<<i) != 0 {
				leases = append(leases, lease.Lease{Instance: in, Holder: fmt.Sprintf("h%d", i%int(hosts)), Token: 1, Expires: now.Add(time.Second)})
			}
		}
		got, _ := lease.Plan("h0", linked, leases, now, rand.New(rand.NewPCG(seed, seed)))
		seen := map[string]bool{}
		for _, in := range got {
			require.False(t, seen[in])
			seen[in] = true
			require.Contains(t, linked, in)
			for _, l := range leases {
				require.False(t, l.Instance == in && l.HeldAt(now))
			}
		}
	})
}
