package main

import (
	"fmt"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// BenchmarkFailover measures failover on the emulators as the chaos test
// runs it: three session hosts in AWS mode share 60 instances; one host
// at a time is killed with SIGKILL (and replaced, as ECS would), 20 times,
// and each of its instances is timed from the kill to its connection by
// another host. The baseline is the lease time, the floor of a failover
// by lease expiry. It also reports the spread of instances over the
// hosts, at the start and after the kills (once evened out), against
// the fair share.
func BenchmarkFailover(b *testing.B) {
	const kills, n, hosts = 20, 60, 3
	for range b.N {
		r := newChaosRig(b, n)
		live := make([]*chaosHost, hosts)
		for i := range live {
			live[i] = r.start()
		}
		r.heldBy("the hosts hold every instance", live...)
		startSpread := spread(b, r, live)
		var fo []time.Duration
		for k := range kills {
			victim := live[k%hosts]
			lost := instancesOf(leaseHolders(b, r.leases), victim.holder)
			at := time.Now()
			victim.signal(b, syscall.SIGKILL)
			<-victim.exited
			live[k%hosts] = r.start()
			r.heldBy(fmt.Sprintf("kill %d: the others hold its instances", k+1), live...)
			var got []time.Duration
			require.Eventually(b, func() bool {
				got = failovers(r.lines(), lost, at)
				return len(got) == len(lost)
			}, time.Minute, 250*time.Millisecond, "kill %d: every instance connected again", k+1)
			fo = append(fo, got...)
		}
		share := n / hosts
		require.Eventually(b, func() bool {
			s := spread(b, r, live)
			return s[0] == share && s[1] == share
		}, 3*time.Minute, time.Second, "the hosts even out")
		endSpread := spread(b, r, live)
		w := os.Stdout
		fmt.Fprintf(w, "\nFailover after kill -9 (3 hosts, %d instances, %d kills, %d samples)\n", n, kills, len(fo))
		fmt.Fprintf(w, "  %-34s %8s %8s %8s\n", "", "p50", "p99", "max")
		fmt.Fprintf(w, "  %-34s %7.1fs %7.1fs %7.1fs\n", "kill → connected by another host",
			percentile(fo, 0.5).Seconds(), percentile(fo, 0.99).Seconds(), percentile(fo, 1).Seconds())
		fmt.Fprintf(w, "  %-34s %7.1fs   (the floor of a failover by expiry; target 45 s p99)\n", "baseline: the lease time", 24.0)
		fmt.Fprintf(w, "Spread of instances over the hosts (fewest / most per host)\n")
		fmt.Fprintf(w, "  %-34s %d / %d\n", "at the start", startSpread[0], startSpread[1])
		fmt.Fprintf(w, "  %-34s %d / %d\n", "after the kills, evened out", endSpread[0], endSpread[1])
		fmt.Fprintf(w, "  %-34s %d / %d\n", "baseline: the fair share", share, share)
		b.ReportMetric(percentile(fo, 0.5).Seconds(), "failover-p50-s")
		b.ReportMetric(percentile(fo, 0.99).Seconds(), "failover-p99-s")
	}
}

// spread returns the fewest and the most instances a live host holds.
func spread(tb testing.TB, r *chaosRig, live []*chaosHost) [2]int {
	held := leaseHolders(tb, r.leases)
	out := [2]int{len(r.names), 0}
	for _, h := range live {
		k := len(instancesOf(held, h.holder))
		out[0], out[1] = min(out[0], k), max(out[1], k)
	}
	return out
}
