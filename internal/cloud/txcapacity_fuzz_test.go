package cloud

import (
	"encoding/json"
	"testing"
)

// The transaction reader and the item sizer take whatever body the SDK
// sent: they must never panic, and a size is never negative.
func FuzzTxActions(f *testing.F) {
	f.Add([]byte(`{"TransactItems":[{"Put":{"TableName":"t","Item":{"pk":{"S":"a"},"sk":{"S":"b"},"n":{"N":"12"}}}},` +
		`{"Update":{"TableName":"t","Key":{"pk":{"S":"c"},"sk":{"S":"d"}}}},{"ConditionCheck":{"TableName":"t","Key":{"pk":{"S":"e"}}}}]}`))
	f.Add([]byte(`{"TransactItems":[{"Put":{"TableName":"t","Item":{"l":{"L":[{"M":{"x":{"SS":["a","b"]}}},{"BOOL":true}]}}}}]}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		actions, err := txActions(body, func(string) ([]string, error) { return []string{"pk", "sk"}, nil })
		if err != nil {
			return
		}
		var in struct {
			TransactItems []map[string]struct{ Item image }
		}
		_ = json.Unmarshal(body, &in)
		for _, ti := range in.TransactItems {
			for _, a := range ti {
				if itemSize(a.Item) < 0 {
					t.Fatalf("negative size of %s", body)
				}
			}
		}
		_ = txUnits(actions, make([]image, len(actions)), make([]image, len(actions)),
			func(string) []gsi { return []gsi{{name: "g", keys: []string{"pk"}, projection: "ALL"}} },
			func(string) []string { return []string{"pk", "sk"} })
	})
}
