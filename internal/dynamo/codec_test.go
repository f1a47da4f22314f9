package dynamo

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNamesIn(t *testing.T) {
	cases := []struct {
		exprs []string
		want  map[string]string
	}{
		{[]string{"attribute_not_exists(#pk)"}, map[string]string{"#pk": "pk"}},
		{[]string{"SET #status = :status, #sentAt = :sentAt REMOVE #pendingOf", "#status = :pending"},
			map[string]string{"#status": "status", "#sentAt": "sentAt", "#pendingOf": "pendingOf"}},
		{[]string{"#a#b # #_c9)"}, map[string]string{"#a": "a", "#b": "b", "#_c9": "_c9"}},
		{[]string{"", ":v = :w"}, nil},
	}
	for _, c := range cases {
		require.Equal(t, c.want, namesIn(c.exprs...), c.exprs)
	}
}

func FuzzNamesIn(f *testing.F) {
	f.Add("SET #a = :a REMOVE #b")
	f.Add("##")
	f.Fuzz(func(t *testing.T, e string) {
		for p, name := range namesIn(e) {
			require.Equal(t, "#"+name, p)
			require.NotEmpty(t, name)
			require.Contains(t, e, p)
		}
	})
}
