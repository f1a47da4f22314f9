package dynamo

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Items are mapped by hand: every attribute is named once in the package
// doc and written here, so the stored shape is exactly what the doc says.

type item = map[string]types.AttributeValue

func str(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func num(v int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}

func bin(v []byte) types.AttributeValue {
	if v == nil {
		v = []byte{} // DynamoDB rejects a null binary; an empty one is fine
	}
	return &types.AttributeValueMemberB{Value: v}
}

func ms(t time.Time) types.AttributeValue { return num(t.UnixMilli()) }

// epoch is a TTL value: whole seconds, rounded up so an item is never
// deleted before the instant it stands for.
func epoch(t time.Time) types.AttributeValue { return num((t.UnixMilli() + 999) / 1000) }

// sortTime renders t for a string sort key: fixed width, so keys sort by
// time (13 digits hold every millisecond until the year 2286).
func sortTime(t time.Time) string { return fmt.Sprintf("%013d", t.UnixMilli()) }

// setStr and setTime add an optional attribute only when it has a value,
// so absent fields are absent rather than stored empty.
func setStr(it item, name, v string) {
	if v != "" {
		it[name] = str(v)
	}
}

func setTime(it item, name string, t time.Time) {
	if !t.IsZero() {
		it[name] = ms(t)
	}
}

func getStr(it item, name string) string {
	if v, ok := it[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

func getInt(it item, name string) int64 {
	if v, ok := it[name].(*types.AttributeValueMemberN); ok {
		n, _ := strconv.ParseInt(v.Value, 10, 64)
		return n
	}
	return 0
}

func getBin(it item, name string) []byte {
	if v, ok := it[name].(*types.AttributeValueMemberB); ok {
		return v.Value
	}
	return nil
}

// getTime reads a millisecond attribute; absent is the zero time.
func getTime(it item, name string) time.Time {
	if _, ok := it[name]; !ok {
		return time.Time{}
	}
	return time.UnixMilli(getInt(it, name)).UTC()
}

// update builds an UpdateExpression from SET, REMOVE and ADD clauses, naming
// every attribute through a placeholder (many of ours, like status, type
// and ttl, are reserved words).
type update struct {
	sets    []string
	removes []string
	adds    []string
	values  item
}

func newUpdate() *update { return &update{values: item{}} }

func (u *update) set(attr string, v types.AttributeValue) *update {
	u.values[":"+attr] = v
	u.sets = append(u.sets, "#"+attr+" = :"+attr)
	return u
}

// setIfMissing sets attr to v only if the item has no attr yet.
func (u *update) setIfMissing(attr string, v types.AttributeValue) *update {
	u.values[":"+attr] = v
	u.sets = append(u.sets, "#"+attr+" = if_not_exists(#"+attr+", :"+attr+")")
	return u
}

func (u *update) remove(attrs ...string) *update {
	for _, a := range attrs {
		u.removes = append(u.removes, "#"+a)
	}
	return u
}

func (u *update) add(attr string, n int64) *update {
	u.values[":"+attr] = num(n)
	u.adds = append(u.adds, "#"+attr+" :"+attr)
	return u
}

// setStrOrRemove sets attr to v, or removes it when v is empty.
func (u *update) setStrOrRemove(attr, v string) *update {
	if v == "" {
		return u.remove(attr)
	}
	return u.set(attr, str(v))
}

func (u *update) setTimeOrRemove(attr string, t time.Time) *update {
	if t.IsZero() {
		return u.remove(attr)
	}
	return u.set(attr, ms(t))
}

func (u *update) expression() *string {
	var e string
	for _, c := range []struct {
		verb  string
		parts []string
	}{{"SET", u.sets}, {"REMOVE", u.removes}, {"ADD", u.adds}} {
		if len(c.parts) == 0 {
			continue
		}
		if e != "" {
			e += " "
		}
		e += c.verb + " " + strings.Join(c.parts, ", ")
	}
	return &e
}

// when adds the :values a condition uses.
func (u *update) when(vals item) *update {
	for k, v := range vals {
		u.values[k] = v
	}
	return u
}

// on makes the update a transaction item on key, guarded by cond ("" for
// none).
func (u *update) on(table string, key item, cond string) *types.Update {
	expr := u.expression()
	up := &types.Update{TableName: &table, Key: key, UpdateExpression: expr, ExpressionAttributeNames: namesIn(*expr, cond)}
	if cond != "" {
		up.ConditionExpression = &cond
	}
	if len(u.values) > 0 {
		up.ExpressionAttributeValues = u.values
	}
	return up
}

// names maps #attr placeholders for a condition or projection expression.
func names(attrs ...string) map[string]string {
	m := make(map[string]string, len(attrs))
	for _, a := range attrs {
		m["#"+a] = a
	}
	return m
}

// namesIn maps every #attr placeholder of exprs, and only those: DynamoDB
// rejects a name the expressions do not use.
func namesIn(exprs ...string) map[string]string {
	m := map[string]string{}
	word := func(c byte) bool {
		return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
	}
	for _, e := range exprs {
		for i := 0; i < len(e); i++ {
			if e[i] != '#' {
				continue
			}
			j := i + 1
			for j < len(e) && word(e[j]) {
				j++
			}
			if j > i+1 {
				m[e[i:j]] = e[i+1 : j]
			}
			i = j - 1
		}
	}
	if len(m) == 0 {
		return nil
	}
	return m
}
