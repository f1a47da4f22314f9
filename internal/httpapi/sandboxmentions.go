package httpapi

import "github.com/wagateway/wagateway/internal/message"

// sentExtras returns the mentions and viewOnce fields of a GET
// /sandbox/{name}/sent entry. Each is null on entries of kinds that cannot
// carry it (and on edits and deletions); on those that can, mentions is []
// when none were given and viewOnce false when not set (API.md), so a
// client tells "not asked" from "not applicable".
func sentExtras(s SandboxSent) (mentions []string, viewOnce *bool) {
	k, ok := message.KindOf(s.Type)
	if !ok {
		return nil, nil
	}
	if k.TakesMentions() {
		mentions = append([]string{}, s.Mentions...)
	}
	if k.TakesViewOnce() {
		viewOnce = &s.ViewOnce
	}
	return mentions, viewOnce
}
