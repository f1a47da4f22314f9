package lease

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Leases whose names start with "@" are not instances' (instance names
// cannot start with it). PresencePrefix starts the names of presence
// leases: every host holds one for itself ("@host/<shard>/<holder id>")
// from its start, so that the others count it among the live hosts
// before it holds any instance. RelayRole(n) is the lease of the host of
// shard n that runs the shard's outbox relay (two relays on one outbox
// partition would publish its events twice).
const PresencePrefix = "@host/"

// RelayRole is the relay role's lease name for shard n.
func RelayRole(shard int) string { return "@relay/" + strconv.Itoa(shard) }

// Presence is the presence lease name of holder, a host of shard.
func Presence(shard int, holder string) string { return ShardPresence(shard) + holder }

// ShardPresence starts the presence lease names of shard's hosts.
func ShardPresence(shard int) string { return PresencePrefix + strconv.Itoa(shard) + "/" }

// Plan decides what holder should do with the linked instances, given
// every stored lease: which free instances (never granted, released, or
// expired) to acquire, and how many of its own to give up. The live
// holders are those holding a lease at now (a presence lease is enough),
// plus holder itself; each one's fair share is ceil(linked / live).
//
// A holder below its share takes free instances up to it, so a new or
// lightly loaded host takes what is free first and a dead host's
// instances are spread over the survivors. (While an instance is free
// some live host is below its share: the shares add up to at least the
// linked instances.) A holder over its share gives one up per call, so
// hosts that joined later even out over time, one reconnect at a time;
// whoever takes it is below its share, so nothing moves back. take is shuffled by rnd so that hosts claiming at
// once mostly pick different instances; the store settles the rest (one
// Acquire wins).
func Plan(holder string, linked []string, leases []Lease, now time.Time, rnd *rand.Rand) (take []string, shed int) {
	byInstance := make(map[string]Lease, len(leases))
	live := map[string]bool{holder: true}
	mine := 0
	for _, l := range leases {
		if !l.HeldAt(now) {
			continue
		}
		live[l.Holder] = true
		if strings.HasPrefix(l.Instance, "@") {
			continue
		}
		byInstance[l.Instance] = l
		if l.Holder == holder {
			mine++
		}
	}
	var free []string
	for _, in := range linked {
		if _, held := byInstance[in]; !held {
			free = append(free, in)
		}
	}
	share := (len(linked) + len(live) - 1) / len(live)
	if mine > share {
		return nil, 1
	}
	room := share - mine
	if room <= 0 || len(free) == 0 {
		return nil, 0
	}
	free = slices.Clone(free)
	rnd.Shuffle(len(free), func(i, j int) { free[i], free[j] = free[j], free[i] })
	return free[:min(room, len(free))], 0
}
