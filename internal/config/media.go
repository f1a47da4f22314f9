package config

import (
	"fmt"
	"net/url"
	"strconv"
)

// publicURLProblem says what is wrong with a GATEWAY_PUBLIC_URL, or "":
// media.url is that URL + /instance/..., so it must be an absolute
// http(s) base without query or fragment, which would land in the middle.
func publicURLProblem(v string) string {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return fmt.Sprintf("GATEWAY_PUBLIC_URL %q: want the API's http(s) base URL, without query, such as https://wa.example.com", v)
	}
	return ""
}

// retentionDays reads GATEWAY_MEDIA_RETENTION_DAYS into dst, left as it is
// when unset; the error says what is wanted.
func retentionDays(getenv func(string) string, dst *int) error {
	v := getenv("GATEWAY_MEDIA_RETENTION_DAYS")
	if v == "" {
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > MaxMediaRetentionDays {
		return fmt.Errorf("GATEWAY_MEDIA_RETENTION_DAYS %q: want whole days from 1 to %d", v, MaxMediaRetentionDays)
	}
	*dst = n
	return nil
}
