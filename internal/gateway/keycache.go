package gateway

import (
	"sync"
	"time"

	"github.com/wagateway/wagateway/internal/tenant"
)

// KeyCacheTTL bounds how long a verified key is trusted without a store
// read. A key deleted through this process is forgotten at once; one
// deleted elsewhere (the admin CLI next to a running local gateway,
// another Lambda) stops working within KeyCacheTTL. Only verified keys
// are cached, so a key created elsewhere works at once.
const KeyCacheTTL = 2 * time.Second

// keyCacheMax bounds the cache; when full it starts over, which costs one
// store read per key.
const keyCacheMax = 10000

// keyCache remembers recently verified API keys. Authentication is on
// every request, and the store read it saves was the largest single cost
// of the send path.
type keyCache struct {
	mu      sync.Mutex
	entries map[string]cachedKey // by key id
}

type cachedKey struct {
	key     tenant.Key
	expires time.Time
}

func (c *keyCache) get(id string, now time.Time) (tenant.Key, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[id]
	if !ok || !now.Before(e.expires) {
		return tenant.Key{}, false
	}
	return e.key, true
}

func (c *keyCache) put(k tenant.Key, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= keyCacheMax {
		c.entries = make(map[string]cachedKey)
	}
	c.entries[k.ID] = cachedKey{key: k, expires: now.Add(KeyCacheTTL)}
}

func (c *keyCache) forget(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, id)
}
