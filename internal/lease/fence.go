package lease

import (
	"context"
	"time"
)

// Fence is what a write made under a lease carries: the instance, the
// token it was granted, and the holder's now when the write was decided.
// Stores that see a Fence on a write's context run Check against the
// stored lease in the write's own transaction and refuse the write with
// ErrLost when the token is no longer current; drivers that can (the
// sandbox network) refuse actions the same way.
type Fence struct {
	Instance string
	Token    int64
	Now      time.Time
}

type fenceKey struct{}

// WithFence returns ctx carrying f. The fence rides on the context, not
// on every store method, because it concerns every write the host makes
// for an instance (state, sends, events, receipts, inbound messages)
// alike, and the same context reaches the driver: one value that no
// layer in between has to pass on by hand.
func WithFence(ctx context.Context, f Fence) context.Context {
	return context.WithValue(ctx, fenceKey{}, f)
}

// FenceFrom returns the fence ctx carries, if any. A write without one
// is not made under a lease (the API's writes, a single local host
// without leases) and is not checked.
func FenceFrom(ctx context.Context) (Fence, bool) {
	f, ok := ctx.Value(fenceKey{}).(Fence)
	return f, ok
}

// noFence marks a context whose writes are not fenced although an outer
// context was.
type noFence struct{}

// WithoutFence returns ctx with no fence, for a write that guards itself:
// a compare-and-set on the one item it changes, whose outcome is right
// whichever host makes it (see host.Store's message writes). Fencing such
// a write buys nothing and, on DynamoDB, costs a lease read and turns a
// single write into a transaction.
func WithoutFence(ctx context.Context) context.Context {
	return context.WithValue(ctx, fenceKey{}, noFence{})
}
