// Package local wires the gateway as one local process (`make run`): the
// HTTP API, the session host, the lane queues, the outbox and its
// dispatcher, all on one embedded SQLite file in the data directory. It
// mirrors internal/cloud, which wires the same parts on AWS; the
// sessionhost command only reads the configuration and calls Run.
//
// Locally there is exactly one session host (the data directory's lock
// makes sure of it), so it holds every instance without leases.
package local
