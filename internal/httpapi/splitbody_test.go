package httpapi

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wagateway/wagateway/internal/fault"
)

type (
	partA struct {
		To   string `json:"to"`
		Lane string `json:"lane"`
	}
	partB struct {
		Text    string   `json:"text"`
		Caption string   `json:"caption"`
		Tags    []string `json:"tags"`
	}
	partC struct {
		Caption string  `json:"caption"`
		Lat     float64 `json:"lat"`
	}
)

// TestSplitBody: one object, checked as strictly as decode checks one
// struct, each member delivered to every part that has it.
func TestSplitBody(t *testing.T) {
	body := newSplitBody(partA{}, &partB{}, partC{})
	require.Equal(t, []string{"to", "lane", "text", "caption", "tags", "lat"}, body.names)

	var a partA
	var b partB
	var c partC
	given, err := body.decode(request(`{"to":"1","caption":"c","tags":["x"],"lat":1.5,"lane":null}`), &a, &b, &c)
	require.NoError(t, err)
	require.Equal(t, []string{"to", "caption", "tags", "lat"}, given, "null gives no value")
	require.Equal(t, partA{To: "1"}, a)
	require.Equal(t, partB{Caption: "c", Tags: []string{"x"}}, b)
	require.Equal(t, partC{Caption: "c", Lat: 1.5}, c)

	_, err = body.decode(request(`{"text":5,"caption":"c","Lat":1,"x":true}`), &a, &b, &c)
	var v *fault.ValidationError
	require.ErrorAs(t, err, &v)
	var paths []any
	for _, is := range v.Issues {
		paths = append(paths, is.Path[0])
	}
	require.Equal(t, []any{"text", "Lat", "x"}, paths)
	require.Contains(t, v.Issues[2].Message, "allowed: to, lane, text, caption, tags, lat")

	require.PanicsWithValue(t, `httpapi: field "caption" is string in one part and int in struct { N int "json:\"caption\"" }`, func() {
		newSplitBody(partB{}, struct {
			N int `json:"caption"`
		}{})
	}, "one name, two types")
	require.PanicsWithValue(t, `httpapi: fields "to" and "TO" differ only in case`, func() {
		newSplitBody(partA{}, struct {
			X string `json:"TO"`
		}{})
	})
	require.Panics(t, func() { _, _ = body.decode(request(`{}`), &a, &c, &b) }, "parts out of order")
}
