package devicestore

import (
	"fmt"
	"strconv"

	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// item is one DynamoDB item.
type item = map[string]ddb.AttributeValue

func avS(s string) ddb.AttributeValue { return &ddb.AttributeValueMemberS{Value: s} }
func avB(b []byte) ddb.AttributeValue { return &ddb.AttributeValueMemberB{Value: b} }
func avN(n int64) ddb.AttributeValue {
	return &ddb.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}
func avU(n uint64) ddb.AttributeValue {
	return &ddb.AttributeValueMemberN{Value: strconv.FormatUint(n, 10)}
}
func avBool(b bool) ddb.AttributeValue    { return &ddb.AttributeValueMemberBOOL{Value: b} }
func keyItem(pk, sk string) item          { return item{attrPK: avS(pk), attrSK: avS(sk)} }
func withKey(pk, sk string, it item) item { it[attrPK], it[attrSK] = avS(pk), avS(sk); return it }

// putOpt sets a binary attribute only when there is a value: a nil slice
// is stored as an absent attribute, as SQL stores NULL.
func putOpt(it item, name string, b []byte) item {
	if b != nil {
		it[name] = avB(b)
	}
	return it
}

// reader decodes an item and remembers the first malformed attribute, so
// a decoder reads every field and checks one error at the end.
type reader struct {
	it  item
	err error
}

func (r *reader) has(name string) bool { _, ok := r.it[name]; return ok }

func (r *reader) s(name string) string {
	switch v := r.it[name].(type) {
	case nil:
		return ""
	case *ddb.AttributeValueMemberS:
		return v.Value
	default:
		r.fail(name, v)
		return ""
	}
}

// b returns nil for an absent attribute.
func (r *reader) b(name string) []byte {
	switch v := r.it[name].(type) {
	case nil:
		return nil
	case *ddb.AttributeValueMemberB:
		if v.Value == nil {
			return []byte{}
		}
		return v.Value
	default:
		r.fail(name, v)
		return nil
	}
}

func (r *reader) n(name string) int64 {
	raw := r.num(name)
	if raw == "" {
		return 0
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil && r.err == nil {
		r.err = fmt.Errorf("attribute %s: %w", name, err)
	}
	return n
}

func (r *reader) u(name string) uint64 {
	raw := r.num(name)
	if raw == "" {
		return 0
	}
	n, err := strconv.ParseUint(raw, 10, 64)
	if err != nil && r.err == nil {
		r.err = fmt.Errorf("attribute %s: %w", name, err)
	}
	return n
}

func (r *reader) bool(name string) bool {
	switch v := r.it[name].(type) {
	case nil:
		return false
	case *ddb.AttributeValueMemberBOOL:
		return v.Value
	default:
		r.fail(name, v)
		return false
	}
}

func (r *reader) num(name string) string {
	switch v := r.it[name].(type) {
	case nil:
		return ""
	case *ddb.AttributeValueMemberN:
		return v.Value
	default:
		r.fail(name, v)
		return ""
	}
}

func (r *reader) fail(name string, v ddb.AttributeValue) {
	if r.err == nil {
		r.err = fmt.Errorf("attribute %s has unexpected type %T", name, v)
	}
}
