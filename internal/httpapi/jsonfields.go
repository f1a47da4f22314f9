package httpapi

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
)

// unknownMessage lists the allowed names, so the caller can fix a typo
// without the documentation, and points out a name that differs only in
// case (encoding/json used to accept those).
func unknownMessage(fields []field, key string) string {
	names := make([]string, len(fields))
	hint := ""
	for i, f := range fields {
		names[i] = f.name
		if hint == "" && strings.EqualFold(f.name, key) {
			hint = fmt.Sprintf(" (names are case-sensitive: did you mean %q?)", f.name)
		}
	}
	if len(names) == 0 {
		return "Unknown field; this object takes no fields"
	}
	return "Unknown field" + hint + "; allowed: " + strings.Join(names, ", ")
}

// field is one JSON member a struct accepts.
type field struct {
	name string
	typ  reflect.Type
}

func lookup(fields []field, name string) (field, bool) {
	for _, f := range fields {
		if f.name == name {
			return f, true
		}
	}
	return field{}, false
}

var fieldCache sync.Map // reflect.Type -> []field

// fieldsOf lists the JSON names of a struct's fields in declaration order,
// as encoding/json sees them: fields of embedded structs are promoted,
// "-" and unexported fields are left out, and of two fields with one name
// the shallower wins. Two at the same depth are both left out
// (encoding/json may still pick a tagged one; refusing is the safe side).
func fieldsOf(t reflect.Type) []field {
	if f, ok := fieldCache.Load(t); ok {
		return f.([]field)
	}
	type candidate struct {
		field
		depth int
	}
	var all []candidate // in declaration order, embedded fields in place
	var walk func(t reflect.Type, depth int, chain map[reflect.Type]bool)
	walk = func(t reflect.Type, depth int, chain map[reflect.Type]bool) {
		chain[t] = true // a struct embedding itself (through a pointer) ends here
		defer delete(chain, t)
		for i := range t.NumField() {
			sf := t.Field(i)
			tag := sf.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, _, _ := strings.Cut(tag, ",")
			if et := sf.Type; sf.Anonymous && name == "" {
				if et.Kind() == reflect.Pointer {
					et = et.Elem()
				}
				if et.Kind() == reflect.Struct {
					if !chain[et] {
						walk(et, depth+1, chain)
					}
					continue
				}
			}
			if !sf.IsExported() {
				continue
			}
			if name == "" {
				name = sf.Name
			}
			all = append(all, candidate{field{name, sf.Type}, depth})
		}
	}
	walk(t, 0, map[reflect.Type]bool{})
	shallowest, count := map[string]int{}, map[string]int{}
	for _, c := range all {
		if d, ok := shallowest[c.name]; !ok || c.depth < d {
			shallowest[c.name], count[c.name] = c.depth, 0
		}
		if c.depth == shallowest[c.name] {
			count[c.name]++
		}
	}
	out := []field{}
	for _, c := range all {
		if c.depth == shallowest[c.name] && count[c.name] == 1 {
			out = append(out, c.field)
		}
	}
	fieldCache.Store(t, out)
	return out
}
