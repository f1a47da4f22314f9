package cloud

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// The reads behind a transaction's price (txcapacity.go): the table's key
// and indexes, and the images of the items it names. They go to the same
// endpoint as the transaction, uncounted.

// dynamoCall makes one uncounted DynamoDB call beside r (same endpoint
// and headers, another operation): reading images and indexes to price a
// transaction. Emulators only: the copied signature does not match.
func dynamoCall(next Doer, r *http.Request, op string, in any, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, r.URL.String(), bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header = r.Header.Clone()
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810."+op)
	req.Header.Del("Content-Length")
	req.ContentLength = int64(len(body))
	resp, err := next.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("dynamodb %s: status %d", op, resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// table is what pricing needs of a table: its key and its indexes.
type table struct {
	keys    []string
	indexes []gsi
}

// describe returns name's key and indexes, read once.
func (c *RequestCounter) describe(next Doer, r *http.Request, name string) (table, error) {
	c.mu.Lock()
	t, ok := c.tables[name]
	c.mu.Unlock()
	if ok {
		return t, nil
	}
	type keyElem struct{ AttributeName, KeyType string }
	var out struct {
		Table struct {
			KeySchema              []keyElem
			GlobalSecondaryIndexes []struct {
				IndexName  string
				KeySchema  []keyElem
				Projection struct {
					ProjectionType   string
					NonKeyAttributes []string
				}
			}
		}
	}
	if err := dynamoCall(next, r, "DescribeTable", map[string]string{"TableName": name}, &out); err != nil {
		return table{}, err
	}
	names := func(ks []keyElem) []string {
		slices.SortFunc(ks, func(a, b keyElem) int { return strings.Compare(a.KeyType, b.KeyType) }) // HASH < RANGE
		var out []string
		for _, k := range ks {
			out = append(out, k.AttributeName)
		}
		return out
	}
	t.keys = names(out.Table.KeySchema)
	for _, g := range out.Table.GlobalSecondaryIndexes {
		t.indexes = append(t.indexes, gsi{name: g.IndexName, keys: names(g.KeySchema),
			projection: g.Projection.ProjectionType, include: g.Projection.NonKeyAttributes})
	}
	c.mu.Lock()
	c.tables[name] = t
	c.mu.Unlock()
	return t, nil
}

// images reads the items actions name, as they are now (nil: absent).
func (c *RequestCounter) images(next Doer, r *http.Request, actions []txAction) ([]image, error) {
	out := make([]image, len(actions))
	for i, a := range actions {
		var got struct{ Item image }
		err := dynamoCall(next, r, "GetItem", map[string]any{"TableName": a.table, "Key": a.key, "ConsistentRead": true}, &got)
		if err != nil {
			return nil, err
		}
		out[i] = got.Item
	}
	return out, nil
}

// pricedTransaction sends TransactWriteItems request r (its body, body)
// and returns DynamoDB's answer with the write units it costs by
// DynamoDB's rule (0 if it was refused: a refusal is priced as reads,
// which the bench does not meet). ok is false when it could not be
// priced (an image or the table could not be read); the request is sent
// all the same, so that counting never changes what the code under test
// sees.
func (c *RequestCounter) pricedTransaction(next Doer, r *http.Request, body []byte) (resp *http.Response, units float64, ok bool, err error) {
	tables := map[string]table{}
	keysOf := func(name string) ([]string, error) {
		t, err := c.describe(next, r, name)
		tables[name] = t
		return t.keys, err
	}
	actions, perr := txActions(body, keysOf)
	if perr == nil {
		for _, a := range actions {
			if _, perr = keysOf(a.table); perr != nil {
				break
			}
		}
	}
	var before []image
	if perr == nil {
		before, perr = c.images(next, r, actions)
	}
	resp, err = next.Do(r)
	if err != nil || resp.StatusCode != http.StatusOK {
		return resp, 0, perr == nil, err
	}
	if perr != nil {
		return resp, 0, false, nil
	}
	after, perr := c.images(next, r, actions)
	if perr != nil {
		return resp, 0, false, nil
	}
	return resp, txUnits(actions, before, after, func(t string) []gsi { return tables[t].indexes },
		func(t string) []string { return tables[t].keys }), true, nil
}
