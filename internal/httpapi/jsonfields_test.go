package httpapi

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/message"
)

type (
	fieldsA struct {
		X string `json:"x"`
		Y string `json:"y"`
	}
	FieldsB struct {
		X string `json:"x"`
		Z string `json:"z"`
	}
	// fieldsC: x is ambiguous (A.x and B.x at one depth), y of C hides A.y.
	fieldsC struct {
		fieldsA
		*FieldsB
		Y string `json:"y"`
	}
	fieldsNode struct {
		*fieldsNode
		V     string `json:"v"`
		NoTag int
		Dash  string `json:"-,"`
	}
)

// TestFieldsOf: the names accepted are the ones encoding/json decodes.
func TestFieldsOf(t *testing.T) {
	names := func(v any) []string {
		var out []string
		for _, f := range fieldsOf(reflect.TypeOf(v)) {
			out = append(out, f.name)
		}
		return out
	}
	require.Equal(t, []string{"z", "y"}, names(fieldsC{}))
	require.Equal(t, []string{"v", "NoTag", "-"}, names(fieldsNode{}))
	text, _ := message.KindOf(message.Text)
	textBody := reflect.Zero(newSplitBody(sendCommon{}, text.NewFields()).shape).Interface()
	require.Equal(t, []string{"instanceName", "to", "lane", "replyTo", "text", "mentions"}, names(textBody))

	for _, body := range []string{`{"y":"1","z":"2"}`, `{"v":"a","NoTag":1,"-":"d"}`} {
		for _, dst := range []any{&fieldsC{}, &fieldsNode{}} {
			want := reflect.New(reflect.TypeOf(dst).Elem()).Interface()
			dec := json.NewDecoder(strings.NewReader(body))
			dec.DisallowUnknownFields()
			stdErr := dec.Decode(want)
			err := decode(request(body), dst)
			require.Equal(t, stdErr == nil, err == nil, "%s into %T: %v / %v", body, dst, stdErr, err)
			if err == nil {
				require.Equal(t, want, dst)
			}
		}
	}
	var v fieldsC
	require.Error(t, decode(request(`{"x":"1"}`), &v), "ambiguous names are unknown, as to encoding/json")
}
