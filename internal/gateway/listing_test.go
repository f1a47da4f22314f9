package gateway

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/fault"
	"github.com/wagateway/wagateway/internal/message"
)

func TestParseListQuery(t *testing.T) {
	cursor := message.Cursor{At: time.UnixMilli(1773596760000).UTC(), Direction: message.In, ID: "3EB0AB"}
	for name, tc := range map[string]struct {
		query map[string][]string
		want  message.ListQuery
	}{
		"defaults":   {nil, message.ListQuery{Limit: message.DefaultListLimit}},
		"everything": {map[string][]string{"direction": {"out"}, "chat": {"120363025246125486@g.us"}, "limit": {"1"}, "cursor": {cursor.Encode()}}, message.ListQuery{Direction: message.Out, Chat: "120363025246125486@g.us", Limit: 1, After: cursor}},
		"inbound":    {map[string][]string{"direction": {"in"}, "chat": {"5491112345678"}, "limit": {"100"}}, message.ListQuery{Direction: message.In, Chat: "5491112345678", Limit: 100}},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := parseListQuery(tc.query)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestParseListQueryRejects(t *testing.T) {
	for name, tc := range map[string]struct {
		query map[string][]string
		paths []string // where the issues are, in order
	}{
		"direction":           {map[string][]string{"direction": {"both"}}, []string{"direction"}},
		"empty direction":     {map[string][]string{"direction": {""}}, []string{"direction"}},
		"limit 0":             {map[string][]string{"limit": {"0"}}, []string{"limit"}},
		"limit 101":           {map[string][]string{"limit": {"101"}}, []string{"limit"}},
		"limit -1":            {map[string][]string{"limit": {"-1"}}, []string{"limit"}},
		"limit 1.5":           {map[string][]string{"limit": {"1.5"}}, []string{"limit"}},
		"chat with +":         {map[string][]string{"chat": {"+5491112345678"}}, []string{"chat"}},
		"chat a JID":          {map[string][]string{"chat": {"5491112345678@s.whatsapp.net"}}, []string{"chat"}},
		"cursor":              {map[string][]string{"cursor": {"abc"}}, []string{"cursor"}},
		"twice":               {map[string][]string{"chat": {"5491112345678", "5491112345678"}}, []string{"chat"}},
		"unknown":             {map[string][]string{"offset": {"10"}}, []string{"offset"}},
		"every issue at once": {map[string][]string{"limit": {"x"}, "direction": {"x"}, "cursor": {"x"}}, []string{"cursor", "direction", "limit"}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := parseListQuery(tc.query)
			var v *fault.ValidationError
			require.True(t, errors.As(err, &v), "%v", err)
			var paths []string
			for _, is := range v.Issues {
				require.Len(t, is.Path, 1)
				paths = append(paths, is.Path[0].(string))
			}
			require.Equal(t, tc.paths, paths)
		})
	}
}
