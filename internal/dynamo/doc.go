// Package dynamo is the DynamoDB adapter of the gateway's state: the
// gateway port (gateway.Store), the session host's (host.Store), the
// outbox relay's side (PendingEvents, MarkPublished), the webhooks
// Lambda's (RecordAttempts), command results, and the instance leases
// (LeaseStore, lease.Store). It passes the same conformance suites as the
// SQLite adapter, which is the reference for every semantic; it has no
// AtomicEnqueuer, so the service stores, then enqueues on SQS, and
// abandons the message if that fails.
//
// # Table
//
// One table (CreateTable; the CDK app declares the same), string keys pk
// and sk, on-demand capacity, TTL on the attribute ttl (epoch seconds):
//
//	item          pk                   sk        notable attributes
//	tenant        T#{tenant}           TENANT    kind=TENANT, entityId, createdAt
//	instance      T#{tenant}           I#{name}  kind=INSTANCE, entityId=name, webhookUrl, webhookSecret,
//	                                             state, phone, connectedAt, createdAt, sentCount, failedCount,
//	                                             typingSimulation, receiveGroups, rejectCalls (BOOL; absent:
//	                                             instance.DefaultSettings), webhookEvents (L of S, the
//	                                             webhook's event filter; absent: every event, [] none)
//	api key       K#{keyId}            KEY       tenantId, hash, createdAt
//	message       M#{id}               MSG       tenantId, instance, lane, to, type, content (JSON), status,
//	                                             error, createdAt, sentAt, updatedAt; pendingOf/pendingKey
//	                                             while pending, sentOf once sent; deliveredAt, readAt
//	                                             once a receipt said so; listOf/listKey (listing index)
//	WhatsApp id   W#{instance}#{waId}  WAID      messageId: put by MarkSent, so receipts (which name
//	                                             messages by WhatsApp id) find the message; never expires,
//	                                             like the message
//	received      R#{instance}#{waId}  RECEIVED  chat, from, type, text, createdAt (received), expiresAt, ttl
//	                                             (message.ReceivedRetention): what replyTo and reactions name;
//	                                             payload (message.received data); listOf/listKey (listing index)
//	idempotency   ID#{tenant}#{key}    IDEM      statusCode, body, expiresAt, ttl
//	event         D#{id}               DELIVERY  the event and its delivery record: tenantId, instance, event,
//	                                             body, createdAt, status, attempts, nextAt, lastStatusCode,
//	                                             lastError, deliveredAt, deliveryOf/deliverySort, ttl;
//	                                             unpublished/outboxSort until the relay published it
//	command       C#{id}               RESULT    result, expiresAt, ttl
//	number checks NC#{instance}        CHECKS    uses (B: numbercheck's encoding of the checks inside the
//	                                             rolling hour), version (N, the condition of the next write),
//	                                             ttl (an hour past the newest use). Deleting the instance
//	                                             leaves it on purpose: re-creating the instance under the same
//	                                             name must not reset its limit; TTL removes it
//	lease         LEASES               {name}    token (N, the fencing token), holder, expiresAt (ms): an instance's
//	                                             lease (package lease), or a host's presence (@host/...) or role
//	                                             (@relay), all in one partition so that one Query lists them;
//	                                             holder and expiresAt absent once released.
//	                                             No TTL, and deleting the instance leaves it: a token must never be
//	                                             granted twice, not even to an instance re-created under the same name
//	shard load    SHARD#{n}            LOAD      count (N): the instances assigned to shard n, moved in the
//	                                             transactions that create and delete them; instances carry
//	                                             shard (N, absent: 0)
//
// An instance lives in its tenant's partition, so listing a tenant's (or
// a client's) instances by name is one query on the sort key prefix.
//
// # Indexes
//
// Every GSI projects only what its readers need (INCLUDE), so a write
// that changes nothing projected (the sent and failed counters, a
// delivery attempt that keeps its status) costs no index write. All are
// eventually consistent; the consequences are listed under Consistency.
//
//	entity    kind, entityId          counts of tenants and instances; ListLinked (filter: phone set)
//	pending   pendingOf, pendingKey   sparse: pending messages by instance, pendingKey = lane#createdAt#id,
//	                                  so a per-lane COUNT is a key condition; flush and delete page it
//	sent      sentOf, sentAt          SentSince: an instance's sends from a time on, with their lane
//	delivery  deliveryOf, deliverySort  an instance's deliveries newest first (deliverySort = createdAt#id),
//	                                  projecting the status for the list filter
//	outbox    unpublished, outboxSort   sparse: events not yet published, oldest first; one partition per
//	                                  shard ("1" for shard 0, "1#n" for shard n: Store.ForShard), each
//	                                  written by its shard's hosts and read by its shard's relay (about
//	                                  1,000 events/s each)
//	listing   listOf, listKey         GET /instance/{name}/messages: messages and received messages by instance,
//	                                  listKey = createdAt#direction#id (zero-padded ms, "out"/"in"), read
//	                                  newest first from the cursor's listKey down; projects to, chat and
//	                                  expiresAt for the direction (to: outbound, chat: inbound), chat and
//	                                  expiry filters, none of which ever changes, so status updates cost no
//	                                  index write. DeleteInstance finds received messages here. Items
//	                                  written before the index existed have no listOf: not listed, not
//	                                  deleted with their instance (TTL still removes received ones)
//
// # TTL
//
// Idempotency records expire at their ExpiresAt (24 h after the send);
// GetIdempotency checks expiresAt itself, since TTL deletes lazily (up to
// days late). A delivered delivery expires 7 days after delivery, a dead
// one 14 days after its last attempt (a longer look at failures);
// retrying deliveries never expire, and Redeliver removes the TTL. Command
// results expire when the caller says. Messages do not expire. A number
// checks item expires an hour after its newest use, when nothing in it
// counts any more; one read before TTL gets to it decides the same.
//
// # Writes and their cost
//
// Writes that two callers can race are conditional; a transaction whose
// condition fails is inspected item by item (cancellation reasons) to
// map it to fault.ErrConflict, fault.ErrNotFound or
// gateway.ErrIdempotencyReplay. A transaction that collides with another
// (TransactionConflict) is retried with jittered backoff, up to 8 times.
// A one-item write goes out as a plain conditional write, at half the
// price of a transaction. Events are written in the same transaction as
// the change that causes them (a transactional outbox); an event item is
// its own delivery record (retrying, no attempt yet), listed at once.
//
// Costs per call, in request units (RRU: a strongly consistent read of up
// to 4 KB, or two eventually consistent ones; WRU: a write of up to 1 KB,
// doubled inside a transaction; index writes are 1 WRU per KB projected,
// 2 when an index key changes):
//
//	CreateTenant         1 WRU + 1 entity index
//	CreateKey            transaction: tenant check + key = 4 WRU
//	GetKey, GetInstance, GetMessage, GetIdempotency, GetDelivery, GetCommandResult   1 RRU
//	DeleteKey            1 WRU
//	CreateInstance       transaction: tenant check + instance = 4 WRU, + 1 entity index
//	UpdateWebhook        1 WRU + 1 entity index
//	ListInstances        one query: 1 RRU per 4 KB of instances
//	CreateMessage        1 RRU (instance read) + 1 WRU message (+1 per KB of content) + 1 pending index
//	                     + 1 listing index; with an Idempotency-Key, a transaction of the two puts: 4 WRU
//	                     + the same index puts.
//	                     No counter is touched.
//	AbandonMessage       1 RRU + transaction (message, failed counter, idempotency delete) 6 WRU + 1 index
//	MarkSent, MarkFailed 1 RRU + transaction (message, counter, event) 6 WRU (+2 per KB of event body)
//	                     + pending index delete + sent index put (MarkSent) + delivery and outbox index puts;
//	                     MarkSent also puts the WhatsApp id lookup item: +2 WRU
//	RecordReceipt        one BatchGetItem of the lookup items (strongly consistent: 1 RRU per id), then per
//	                     message found 1 conditional UpdateItem, priced by the message item's size (1 WRU per
//	                     KB, ~1 for a typical message; a refused duplicate costs the same); no index write,
//	                     as no index projects deliveredAt or readAt. A message usually gets two receipts
//	SetConnection        1 WRU + 1 entity index; with its event a transaction: 4 WRU + 2 index puts
//	AddEvent             1 WRU (+1 per KB of body) + delivery and outbox index puts
//	FlushPending         per message 2 WRU (+ 2 for its event and 2 index puts) + 1 pending index delete;
//	                     2 WRU per batch of 49 for the failed counter; plus reading the pending index
//	DeleteInstance       1 WRU + 1 entity index, then 2 WRU + 1 index delete per pending message, then a
//	                     listing index query and 1 WRU + 1 index delete per received message (batches of 25)
//	ReplacePending       transaction of one conditional update: 2 WRU per KB of message (no index key changes)
//	CancelPending        1 RRU + a FlushPending batch of one: 2 WRU (+ 2 for its event) + 2 WRU counter + index deletes
//	MarkEdited, MarkRevoked  transaction of one conditional update: 2 WRU per KB of message
//	PendingByLane        3 COUNT queries of the pending index (0.5 RRU per 4 KB of entries, ~40 messages)
//	TenantStats          1 query of the tenant's instances + 3 COUNT queries per instance
//	Totals               2 COUNT queries of the entity index + a COUNT scan of the pending index
//	                     (grows with the number of pending messages: ~1 RRU per 40)
//	ListDeliveries       a delivery index query + one BatchGetItem of the listed items (1 RRU each per 4 KB)
//	ListMessages         listing index pages (0.5 RRU per 4 KB read, filtered entries included) until limit+1
//	                     entries passed the filter, + one BatchGetItem of them (1 RRU each per 4 KB); a chat
//	                     filter on a busy instance reads past the other chats' entries
//	Redeliver            1 WRU + outbox index put (+ delivery index when the status changes)
//	RecordAttempts       1 WRU per outcome (+ delivery index when the status changes)
//	PendingEvents        one outbox index query; MarkPublished 1 WRU + 1 index delete per id
//	SentSince, ListLinked  one index query each
//	PutCommandResult     1 WRU
//	ReserveNumberChecks  1 RRU (strongly consistent read of the item), then, if numbercheck lets the numbers
//	                     through, 1 conditional put of the whole item: 1 WRU while it is under 1 KB (some 250
//	                     uses in the hour; requests of tens of numbers make at most 50), at most 2 (500
//	                     single-number requests, under 2 KB); a refusal writes nothing. A put that loses the race
//	                     to another reservation costs a read and nothing written, and the round is tried again
//	lease Acquire        1 RRU (strongly consistent read) + 1 conditional put (1 WRU); refused: the read only
//	lease Renew, Release 1 conditional put (1 WRU), assuming the item is the lease the caller holds, no read;
//	                     if it is not, + 1 RRU and the decision again (a renewal every ttl/3 per connected
//	                     instance: 1,000 instances on a 30 s lease are 100 WRU/s). No index writes
//	lease Current        1 RRU
//	lease List           1 strongly consistent Query of the LEASES partition: its size / 4 KB RRU (300
//	                     leases are about 8 RRU); every session host lists them every 3 s
//	lease fence          (for writes made under a lease) 1 RRU + a condition check in the write's transaction,
//	                     priced as a transactional write (2 WRU)
//
// # Batches, races and consistency
//
//   - FlushPending and DeleteInstance page through the pending index and
//     fail messages in transactions of at most 100 items (49 messages with
//     their events, or 99 without, plus the instance's failed counter).
//     Each batch is atomic; a large flush as a whole is not: a crash or an
//     error mid-way leaves the earlier batches done, and a retry finishes
//     the rest. A message that stopped being pending meanwhile (sent, or
//     seen through the lagging index) is dropped from its batch, without
//     its event, and the batch is retried.
//   - CreateMessage reads the instance, then writes. A DeleteInstance
//     landing between the two (or whose paging of the lagging pending
//     index misses a message stored just before) leaves that message
//     pending for an instance that no longer exists; the window is one
//     read-write round trip. A condition check in the transaction would
//     cost two more WRU on every send and still not close the index lag.
//   - The sent and failed counters live on the instance item and change in
//     the same transaction as the message, conditioned on the instance
//     existing; when it is gone (the race above) the message is still
//     settled, without counter, so no counter-only item reappears.
//   - Pending counts, flushes, delivery lists, the outbox and ListLinked
//     read eventually consistent indexes: a write may show up there a
//     moment later. Reads by key are strongly consistent.
//   - A lookup item rather than a sparse index maps WhatsApp ids: an index
//     is eventually consistent, and a delivery receipt can arrive within a
//     second of the send, when the index might not list the message yet
//     (and a receipt found unknown is acknowledged and lost). The lookup
//     key includes the instance, so a receipt only reaches the messages
//     of the instance that reported it. RecordReceipt updates message by
//     message; an error on one does not stop the others (errors joined).
//   - RecordAttempts and MarkPublished update one item per id; an unknown
//     (or expired) id changes nothing and is no error, as in SQLite, and
//     one failing id does not stop the others (the errors are joined).
//   - Redeliver resets status, attempts, next attempt, delivery time, last
//     error and last status code, and puts the event back in the outbox
//     index: on AWS, redelivery is the relay publishing it again. (SQLite
//     keeps the last error until the next attempt.) Each Redeliver renews
//     the event's outbox sort key, and MarkPublished only marks the
//     publication the relay read (conditional on that key), so a
//     redelivery asked for while the relay is publishing the event is
//     published again, not swallowed.
//   - ReserveNumberChecks reads, decides (numbercheck.Reserve) and puts
//     the item on condition that its version is still the one read (or
//     that it is still absent). Of concurrent reservations of an instance
//     one put wins and the others read again and decide from its state,
//     so together they never pass the limit; after 20 lost rounds (with
//     backoff) the request fails without counting.
//   - Lease changes read the lease item, apply package lease's rule with
//     the caller's now, and put the result on condition that the item is
//     still what was read (same token, holder and expiry, or absent). Of
//     two hosts deciding from the same state one put wins and the other
//     decides again from the new one (ErrHeld, ErrLost), so two hosts
//     never both hold a lease; after 10 lost rounds the call fails.
//     DynamoDB's clock plays no part: hosts' clocks must agree to well
//     within a ttl.
package dynamo
