package webhook

import "time"

// MaxAttempts is the first attempt plus the retries of Schedule; after
// that many failures a delivery is dead-lettered (API.md), never dropped.
const MaxAttempts = 4

// schedule is unexported so no caller can change the contract at run time;
// Schedule hands out copies.
var schedule = [MaxAttempts - 1]time.Duration{time.Second, 5 * time.Second, 30 * time.Second}

// Schedule is API.md's retry schedule: 3 retries after the first attempt,
// at 1 s, 5 s and 30 s. Each is the wait after the previous failed attempt.
// No jitter: the schedule is part of the public contract.
func Schedule() [3]time.Duration { return schedule }

// Next says what follows a failed attempt number n (1 = the first attempt):
// the delay before the next one, or dead=true after the last attempt.
// Both callers keep only an attempt count, so this is all they need to
// agree on when to retry and when to dead-letter. An n below 1 is treated
// as 1, so a miscounted first attempt is retried rather than lost.
func Next(n int) (delay time.Duration, dead bool) {
	if n < 1 {
		n = 1
	}
	if n > len(schedule) {
		return 0, true
	}
	return schedule[n-1], false
}
