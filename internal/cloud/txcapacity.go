package cloud

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
)

// DynamoDB Local reports the capacity of TransactWriteItems wrongly: 4
// units for one small item and for three alike, and 4 per index whatever
// the entries written (TestTransactionPricing fails on its figures). The
// counter therefore prices a transaction itself, by DynamoDB's rule: each
// action costs twice the write units of the larger of its item's images
// (a condition check, of the item it reads), and each index what the same
// change would cost outside a transaction (an entry added or removed: its
// units; changed in place: the larger image's; moved to another key:
// both). The images before and after, and the table's indexes, are read
// beside the transaction (txread.go).

// av is a DynamoDB attribute value as the JSON protocol carries it.
type av map[string]json.RawMessage

// image is an item as the JSON protocol carries it.
type image map[string]av

// gsi is what pricing needs of a global secondary index.
type gsi struct {
	name       string
	keys       []string // hash, then range if any
	projection string   // ALL, KEYS_ONLY or INCLUDE
	include    []string
}

// txAction is one action of a TransactWriteItems request.
type txAction struct {
	table string
	key   image
	check bool // a ConditionCheck: read, not written
}

// txActions reads the actions of a TransactWriteItems body; tableKeys
// names each table's key attributes (for a Put, whose key is in its item).
func txActions(body []byte, tableKeys func(table string) ([]string, error)) ([]txAction, error) {
	var in struct {
		TransactItems []map[string]struct {
			TableName string
			Key       image
			Item      image
		}
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, fmt.Errorf("read transaction: %w", err)
	}
	out := make([]txAction, 0, len(in.TransactItems))
	for _, ti := range in.TransactItems {
		for kind, a := range ti {
			k := a.Key
			if kind == "Put" {
				names, err := tableKeys(a.TableName)
				if err != nil {
					return nil, err
				}
				k = image{}
				for _, n := range names {
					k[n] = a.Item[n]
				}
			}
			out = append(out, txAction{table: a.TableName, key: k, check: kind == "ConditionCheck"})
		}
	}
	return out, nil
}

// txUnits prices a transaction from its actions, the images of their
// items before and after it (nil: absent) and each table's indexes.
func txUnits(actions []txAction, before, after []image, indexes func(table string) []gsi, tableKeys func(string) []string) float64 {
	units := 0.0
	for i, a := range actions {
		units += 2 * writeUnits(max(itemSize(before[i]), itemSize(after[i])))
		if a.check {
			continue
		}
		for _, ix := range indexes(a.table) {
			units += indexUnits(ix, tableKeys(a.table), before[i], after[i])
		}
	}
	return units
}

// indexUnits is what one write costs index ix, by DynamoDB's rule for
// the index's stored entry of the item before and after it.
func indexUnits(ix gsi, tableKeys []string, before, after image) float64 {
	old, oldIn := entry(ix, tableKeys, before)
	cur, curIn := entry(ix, tableKeys, after)
	switch {
	case !oldIn && !curIn:
		return 0
	case !oldIn:
		return writeUnits(itemSize(cur))
	case !curIn:
		return writeUnits(itemSize(old))
	case !sameKey(ix, old, cur):
		return writeUnits(itemSize(old)) + writeUnits(itemSize(cur))
	case sameImage(old, cur):
		return 0
	default:
		return max(writeUnits(itemSize(old)), writeUnits(itemSize(cur)))
	}
}

// entry is index ix's stored entry of it, and whether it has one (an
// item lacking an index key attribute is not in the index).
func entry(ix gsi, tableKeys []string, it image) (image, bool) {
	if it == nil {
		return nil, false
	}
	e := image{}
	for _, k := range ix.keys {
		v, ok := it[k]
		if !ok {
			return nil, false
		}
		e[k] = v
	}
	for _, k := range tableKeys {
		e[k] = it[k]
	}
	for name, v := range it {
		if ix.projection == "ALL" || slices.Contains(ix.include, name) {
			e[name] = v
		}
	}
	return e, true
}

func sameKey(ix gsi, a, b image) bool {
	for _, k := range ix.keys {
		if !sameValue(a[k], b[k]) {
			return false
		}
	}
	return true
}

func sameImage(a, b image) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !sameValue(v, b[k]) {
			return false
		}
	}
	return true
}

func sameValue(a, b av) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// writeUnits is the write units of an item of size bytes (1 KB each, at
// least one).
func writeUnits(size int) float64 { return max(1, math.Ceil(float64(size)/1024)) }

// itemSize is an item's size as DynamoDB counts it: each attribute's name
// plus its value. Exact to within a few bytes per attribute, which a 1 KB
// rounding absorbs unless an item sits at a boundary.
func itemSize(it image) int {
	if it == nil {
		return 0
	}
	n := 0
	for name, v := range it {
		n += len(name) + valueSize(v)
	}
	return n
}

func valueSize(v av) int {
	for typ, raw := range v {
		switch typ {
		case "S":
			var s string
			_ = json.Unmarshal(raw, &s)
			return len(s) // UTF-8 bytes
		case "N":
			var s string
			_ = json.Unmarshal(raw, &s)
			return (len(s)+1)/2 + 1
		case "B":
			var b []byte
			_ = json.Unmarshal(raw, &b)
			return len(b)
		case "BOOL", "NULL":
			return 1
		case "SS", "NS", "BS":
			var xs []json.RawMessage
			_ = json.Unmarshal(raw, &xs)
			n := 0
			for _, x := range xs {
				n += valueSize(av{typ[:1]: x})
			}
			return n
		case "L":
			var xs []av
			_ = json.Unmarshal(raw, &xs)
			n := 3
			for _, x := range xs {
				n += 1 + valueSize(x)
			}
			return n
		case "M":
			var m image
			_ = json.Unmarshal(raw, &m)
			n := 3
			for k, x := range m {
				n += 1 + len(k) + valueSize(x)
			}
			return n
		}
	}
	return 0
}
