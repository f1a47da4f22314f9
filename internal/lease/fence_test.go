package lease_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/lease"
)

func TestFenceOnContext(t *testing.T) {
	f := lease.Fence{Instance: "acme__sales__main", Token: 7, Now: time.UnixMilli(1_000)}
	_, ok := lease.FenceFrom(context.Background())
	require.False(t, ok, "a plain context carries no fence")

	fenced := lease.WithFence(context.Background(), f)
	got, ok := lease.FenceFrom(fenced)
	require.True(t, ok)
	require.Equal(t, f, got)

	_, ok = lease.FenceFrom(lease.WithoutFence(fenced))
	require.False(t, ok, "WithoutFence hides the outer fence")

	again, ok := lease.FenceFrom(lease.WithFence(lease.WithoutFence(fenced), f))
	require.True(t, ok, "a fence set inside WithoutFence counts")
	require.Equal(t, f, again)
}
