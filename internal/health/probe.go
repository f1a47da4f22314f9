package health

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Probe GETs url and returns nil on 200, else an error in one line
// saying why: the request's failure, or the status with the stale
// pollers when the body names them. It is the client side of Handler,
// run by the container health check; ctx bounds it.
func Probe(ctx context.Context, client *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("health check: %w", err)
	}
	res, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("health check: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusOK {
		return nil
	}
	// A small bound: the body is ours or the local gateway's error, and a
	// health check must not hang on a stray server's stream.
	raw, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	var r report
	if json.Unmarshal(raw, &r) == nil && len(r.Stale) > 0 {
		parts := make([]string, len(r.Stale))
		for i, s := range r.Stale {
			last := "never"
			if s.LastSuccess != nil {
				last = "last " + *s.LastSuccess
			}
			parts[i] = fmt.Sprintf("%s (%s)", s.Poller, last)
		}
		return fmt.Errorf("health check: %s: stale: %s", res.Status, strings.Join(parts, ", "))
	}
	return fmt.Errorf("health check: %s from %s", res.Status, url)
}
