package mediastoretest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/mediastore"
)

// mib is large enough that sizes around it cross S3's smallest multipart
// part (5 MiB), so that both single-request and multipart uploads run.
const mib = 1 << 20

func roundTrip(t *testing.T, f fixture) {
	cases := []struct {
		name string
		meta mediastore.Meta
		size int
	}{
		{"Empty", mediastore.Meta{Mimetype: "text/plain"}, 0},
		{"OneByte", mediastore.Meta{Mimetype: "text/plain", FileName: "a.txt"}, 1},
		{"Picture", mediastore.Meta{Mimetype: "image/jpeg", FileName: "IMG_0001.jpg"}, 300 << 10},
		{"Multipart", mediastore.Meta{Mimetype: "application/pdf", FileName: "contract v2 (final).pdf"}, 11*mib + 7},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k := key("acme__support__main", fmt.Sprintf("3EB0C767D9B1A2F3E4C%d", i))
			data := payload(c.size, uint64(i))
			obj := mustPut(t, f, k, c.meta, data)
			require.Equal(t, c.meta, obj.Meta)
			require.Equal(t, data, mustRead(t, f, k, obj))
		})
	}
}

func metaNormalized(t *testing.T, f fixture) {
	cases := []struct {
		name       string
		meta, want mediastore.Meta
	}{
		{"EmptyMimetypeDefaults", mediastore.Meta{}, mediastore.Meta{Mimetype: mediastore.DefaultMimetype}},
		{"UnicodeFileName", mediastore.Meta{Mimetype: "image/png", FileName: "фото 📷 %20+&=?.png"},
			mediastore.Meta{Mimetype: "image/png", FileName: "фото 📷 %20+&=?.png"}},
		{"LongestFileName", mediastore.Meta{Mimetype: "audio/ogg; codecs=opus", FileName: strings.Repeat("é", 127) + "x"},
			mediastore.Meta{Mimetype: "audio/ogg; codecs=opus", FileName: strings.Repeat("é", 127) + "x"}},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k := key("acme__support__main", fmt.Sprintf("meta%d", i))
			obj := mustPut(t, f, k, c.meta, []byte("x"))
			require.Equal(t, c.want, obj.Meta)
			mustRead(t, f, k, obj)
		})
	}
}

func limit(t *testing.T, f fixture) {
	cases := []struct {
		name  string
		size  int
		limit int64
		ok    bool
	}{
		{"EmptyAtZero", 0, 0, true},
		{"OneOverZero", 1, 0, false},
		{"AtLimit", 1000, 1000, true},
		{"OneOver", 1001, 1000, false},
		{"MultipartAtLimit", 6 * mib, 6 * mib, true},
		{"MultipartOneOver", 6*mib + 1, 6 * mib, false},
		{"FarOver", 6 * mib, 5, false},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k := key("acme__support__main", fmt.Sprintf("limit%d", i))
			data := payload(c.size, uint64(i))
			obj, err := f.store.Put(f.ctx, k, mediastore.Meta{Mimetype: "video/mp4"}, bytesReader(data), c.limit)
			if !c.ok {
				require.ErrorIs(t, err, mediastore.ErrTooLarge)
				requireNotFound(t, f, k)
				return
			}
			require.NoError(t, err)
			require.Equal(t, int64(c.size), obj.Size)
			require.Equal(t, data, mustRead(t, f, k, obj))
		})
	}
}

func tooLargeKeepsPrevious(t *testing.T, f fixture) {
	k := key("acme__support__main", "ABCDEF0123")
	old := payload(2000, 1)
	oldObj := mustPut(t, f, k, mediastore.Meta{Mimetype: "image/gif", FileName: "old.gif"}, old)
	for _, size := range []int{1001, 6 * mib} {
		_, err := f.store.Put(f.ctx, k, mediastore.Meta{Mimetype: "image/png"}, bytesReader(payload(size, 2)), 1000)
		require.ErrorIs(t, err, mediastore.ErrTooLarge)
		require.Equal(t, old, mustRead(t, f, k, oldObj))
	}
}

func overwrite(t *testing.T, f fixture) {
	k := key("acme__support__main", "ABCDEF0123")
	mustPut(t, f, k, mediastore.Meta{Mimetype: "image/gif", FileName: "first.gif"}, payload(5000, 1))
	f.clk.Advance(time.Hour)
	// Shorter and with another name and type: nothing of the first may
	// survive, neither trailing bytes nor metadata.
	second := payload(10, 2)
	obj := mustPut(t, f, k, mediastore.Meta{Mimetype: "text/plain"}, second)
	require.Equal(t, second, mustRead(t, f, k, obj))
}

func failingReader(t *testing.T, f fixture) {
	for i, size := range []int{0, 100, 6 * mib} {
		t.Run(fmt.Sprintf("After%dBytes", size), func(t *testing.T) {
			fresh := key("acme__support__main", fmt.Sprintf("fresh%d", i))
			_, err := f.store.Put(f.ctx, fresh, mediastore.Meta{}, newFailingReader(payload(size, 1)), 100*mib)
			require.ErrorIs(t, err, errSource)
			requireNotFound(t, f, fresh)

			k := key("acme__support__main", fmt.Sprintf("kept%d", i))
			old := payload(64, 3)
			oldObj := mustPut(t, f, k, mediastore.Meta{Mimetype: "image/gif"}, old)
			_, err = f.store.Put(f.ctx, k, mediastore.Meta{}, newFailingReader(payload(size, 1)), 100*mib)
			require.ErrorIs(t, err, errSource)
			require.Equal(t, old, mustRead(t, f, k, oldObj))
		})
	}
}

func cancelledContext(t *testing.T, f fixture) {
	ctx, cancel := context.WithCancel(f.ctx)
	cancel()
	k := key("acme__support__main", "cancelled")
	_, err := f.store.Put(ctx, k, mediastore.Meta{}, bytesReader(payload(100, 1)), 1000)
	require.ErrorIs(t, err, context.Canceled)
	requireNotFound(t, f, k)
}

func concurrentPuts(t *testing.T, f fixture) {
	const n = 8
	instances := []string{"acme__a__one", "acme__a__two"}
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			k := key(instances[i%2], fmt.Sprintf("m%d", i))
			_, errs[i] = f.store.Put(f.ctx, k, mediastore.Meta{Mimetype: "image/webp"}, bytesReader(payload(64<<10+i, uint64(i))), mib)
		})
	}
	wg.Wait()
	for i := range n {
		require.NoError(t, errs[i], "put %d", i)
		data := payload(64<<10+i, uint64(i))
		k := key(instances[i%2], fmt.Sprintf("m%d", i))
		require.Equal(t, data, mustRead(t, f, k, mediastore.Object{
			Key: k, Meta: mediastore.Meta{Mimetype: "image/webp"}, Size: int64(len(data)), SHA256: sum(data), StoredAt: f.clk.Now(),
		}))
	}
}
