// Package command carries the session operations that must run on the
// host holding an instance's WhatsApp connection (start linking, pairing
// code, device, logout, restart, forget) from the API to that host on AWS.
//
// The API side is Client, an implementation of httpapi.Sessions: it writes
// a Command to the shard's FIFO command queue (group = instance, so one
// instance's commands run in order; deduplication id = command id) and
// polls the result store until the host's Result appears, its context
// ends, or its timeout (DefaultTimeout, under API Gateway's 29 s) passes.
// The host side is Worker: it long-polls the queue, runs each command
// against the session host, stores the Result with a TTL and only then
// deletes the queue message. Locally none of this exists: the session host
// implements httpapi.Sessions itself, in process.
//
// Errors cross the wire faithfully where the client may see them: a
// *fault.Error keeps its kind and public message, a *fault.ValidationError
// its issues. Any other error crosses as ErrHostFailed, without its text
// (it may hold internal details); the worker logs the original.
//
// # Delivery and repetition
//
// The queue delivers at least once, so a command may reach a worker again:
// after a crash between running it and deleting its message, or when
// deleting fails. Three rules keep that harmless:
//
//   - A command is dropped unrun once it is older than the client's timeout
//     (WorkerConfig.MaxAge): the API has already answered 502, and nobody
//     waits for a QR code or a pairing code, or expects a logout the caller
//     was told failed. Only forget is exempt: it is what DELETE
//     /instance/{name} leaves behind, and a deleted instance's session must
//     not stay connected.
//   - The visibility timeout is MaxAge plus a margin and a command never
//     runs past MaxAge after it was issued, so a redelivery of any command
//     but forget is always stale, and dropped.
//   - The result is stored before the message is deleted, and a redelivered
//     command whose result is already stored is deleted without running.
//
// What remains is forget running twice (a crash after running it, before
// storing its result); forget is idempotent: logging out an unlinked
// instance is ignored and disconnecting twice is harmless. For the record,
// link is also safe to repeat (the host returns the current QR code if
// linking is under way), device is a read, while pairing-code (a new code
// replaces the one shown), logout (the second answers 409) and restart (a
// second reconnect) are not, which is why the rules above never let them
// run twice.
package command
