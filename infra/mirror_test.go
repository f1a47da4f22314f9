package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// The tables must have the shape the adapters create in their tests.
// This module does not import the application, so these helpers read
// CreateTable's source in internal/dynamo and internal/devicestore and
// resolve its constants: a change there that the stack does not follow
// fails here.

// tableSpec is a table's shape as CreateTable declares it.
type tableSpec struct {
	key      []string          // partition key, sort key
	attrType map[string]string // attribute definitions: name → S or N
	indexes  []gsi             // name, hash, range and INCLUDE attributes
	ttl      string
	hasGSI   bool
}

// sourceFile parses a file of the application module.
func sourceFile(t *testing.T, rel string) (*ast.File, map[string]string) {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, filepath.Join("..", rel), nil, 0)
	require.NoErrorf(t, err, "read %s", rel)
	consts := map[string]string{}
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, s := range gd.Specs {
			vs := s.(*ast.ValueSpec)
			for i, name := range vs.Names {
				if i < len(vs.Values) {
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						v, err := strconv.Unquote(lit.Value)
						require.NoError(t, err)
						consts[name.Name] = v
					}
				}
			}
		}
	}
	return f, consts
}

// funcBody is the declaration of the top-level function name.
func funcBody(t *testing.T, f *ast.File, name string) *ast.FuncDecl {
	t.Helper()
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.Name == name {
			return fd
		}
	}
	t.Fatalf("no func %s", name)
	return nil
}

// resolve is the value of each identifier among exprs (string constants).
func resolve(t *testing.T, consts map[string]string, exprs []ast.Expr) []string {
	t.Helper()
	out := make([]string, 0, len(exprs))
	for _, e := range exprs {
		id, ok := e.(*ast.Ident)
		require.Truef(t, ok, "argument %T is not a constant name", e)
		v, ok := consts[id.Name]
		require.Truef(t, ok, "constant %s not found", id.Name)
		out = append(out, v)
	}
	return out
}

// constArgs is the resolved constant arguments of every call to
// aws.String (x.String(ident)) under n, in source order.
func constArgs(consts map[string]string, n ast.Node) []string {
	var out []string
	ast.Inspect(n, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok && len(c.Args) == 1 {
			if sel, ok := c.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "String" {
				if id, ok := c.Args[0].(*ast.Ident); ok {
					if v, ok := consts[id.Name]; ok {
						out = append(out, v)
					}
				}
			}
		}
		return true
	})
	return out
}

// field is the value of the first composite-literal field key under n.
func field(n ast.Node, key string) ast.Expr {
	var out ast.Expr
	ast.Inspect(n, func(n ast.Node) bool {
		if kv, ok := n.(*ast.KeyValueExpr); ok && out == nil {
			if id, ok := kv.Key.(*ast.Ident); ok && id.Name == key {
				out = kv.Value
			}
		}
		return out == nil
	})
	return out
}

// gatewayTableSpec reads dynamo.CreateTable (internal/dynamo/table.go):
// its attribute list of {name, s|n} pairs, keySchema(hash, range) and
// index(name, hash, range, include...) calls, and the TTL attribute.
func gatewayTableSpec(t *testing.T) tableSpec {
	t.Helper()
	f, consts := sourceFile(t, "internal/dynamo/table.go")
	fn := funcBody(t, f, "CreateTable")
	spec := tableSpec{attrType: map[string]string{}}
	ast.Inspect(fn, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CompositeLit:
			if len(n.Elts) == 2 {
				name, ok1 := n.Elts[0].(*ast.Ident)
				typ, ok2 := n.Elts[1].(*ast.Ident)
				if ok1 && ok2 && (typ.Name == "s" || typ.Name == "n") {
					if v, ok := consts[name.Name]; ok {
						spec.attrType[v] = map[string]string{"s": "S", "n": "N"}[typ.Name]
					}
				}
			}
		case *ast.CallExpr:
			id, ok := n.Fun.(*ast.Ident)
			switch {
			case ok && id.Name == "keySchema" && spec.key == nil:
				spec.key = resolve(t, consts, n.Args)
			case ok && id.Name == "index":
				v := resolve(t, consts, n.Args)
				require.GreaterOrEqual(t, len(v), 3)
				spec.indexes = append(spec.indexes, gsi{name: v[0], hash: v[1], rng: v[2], include: v[3:]})
			}
		}
		return true
	})
	spec.hasGSI = field(fn, "GlobalSecondaryIndexes") != nil
	ttl := constArgs(consts, field(fn, "TimeToLiveSpecification"))
	require.NotEmpty(t, ttl, "no TTL attribute in dynamo.CreateTable")
	spec.ttl = ttl[0]
	require.Len(t, spec.key, 2, "no keySchema(hash, range) in dynamo.CreateTable")
	require.NotEmpty(t, spec.indexes, "no index(...) calls in dynamo.CreateTable")
	return spec
}

// deviceTableSpec reads devicestore.CreateTable
// (internal/devicestore/table.go), which spells its key schema and
// attribute definitions out.
func deviceTableSpec(t *testing.T) tableSpec {
	t.Helper()
	f, consts := sourceFile(t, "internal/devicestore/table.go")
	fn := funcBody(t, f, "CreateTable")
	spec := tableSpec{attrType: map[string]string{}, hasGSI: field(fn, "GlobalSecondaryIndexes") != nil}
	spec.key = constArgs(consts, field(fn, "KeySchema"))
	require.Len(t, spec.key, 2, "devicestore.CreateTable: want a hash and a range key")
	for _, elt := range field(fn, "AttributeDefinitions").(*ast.CompositeLit).Elts {
		name := constArgs(consts, elt)
		typ, ok := field(elt, "AttributeType").(*ast.SelectorExpr)
		require.True(t, ok && len(name) == 1, "devicestore.CreateTable: unreadable attribute definition")
		spec.attrType[name[0]] = map[string]string{"ScalarAttributeTypeS": "S", "ScalarAttributeTypeN": "N"}[typ.Sel.Name]
	}
	ttl := constArgs(consts, field(fn, "TimeToLiveSpecification"))
	require.NotEmpty(t, ttl, "no TTL attribute in devicestore.CreateTable")
	spec.ttl = ttl[0]
	return spec
}

// checkTable compares a table resource with spec.
func checkTable(t *testing.T, table map[string]any, spec tableSpec) {
	t.Helper()
	require.Equal(t, "PAY_PER_REQUEST", table["BillingMode"])
	require.Equal(t, map[string]any{"PointInTimeRecoveryEnabled": true}, table["PointInTimeRecoverySpecification"])
	require.Equal(t, map[string]any{"AttributeName": spec.ttl, "Enabled": true}, table["TimeToLiveSpecification"])
	require.Equal(t, keySchema(spec.key[0], spec.key[1]), table["KeySchema"])

	defs := map[string]string{}
	for _, d := range table["AttributeDefinitions"].([]any) {
		dm := d.(map[string]any)
		defs[dm["AttributeName"].(string)] = dm["AttributeType"].(string)
	}
	require.Equal(t, spec.attrType, defs, "attribute definitions")

	got, _ := table["GlobalSecondaryIndexes"].([]any)
	if !spec.hasGSI {
		require.Empty(t, got)
		return
	}
	require.Len(t, got, len(spec.indexes))
	byName := map[string]map[string]any{}
	for _, g := range got {
		gm := g.(map[string]any)
		byName[gm["IndexName"].(string)] = gm
	}
	for _, want := range spec.indexes {
		g, ok := byName[want.name]
		require.Truef(t, ok, "index %s missing", want.name)
		require.Equalf(t, keySchema(want.hash, want.rng), g["KeySchema"], "index %s keys", want.name)
		proj := g["Projection"].(map[string]any)
		require.Equalf(t, "INCLUDE", proj["ProjectionType"], "index %s projection", want.name)
		var attrs []string
		for _, a := range proj["NonKeyAttributes"].([]any) {
			attrs = append(attrs, a.(string))
		}
		require.ElementsMatchf(t, want.include, attrs, "index %s projected attributes", want.name)
	}
}

func keySchema(hash, rng string) []any {
	return []any{
		map[string]any{"AttributeName": hash, "KeyType": "HASH"},
		map[string]any{"AttributeName": rng, "KeyType": "RANGE"},
	}
}

// stringLits is every string literal of a file of the application module.
func stringLits(t *testing.T, rel string) map[string]bool {
	t.Helper()
	f, _ := sourceFile(t, rel)
	out := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
			if v, err := strconv.Unquote(lit.Value); err == nil {
				out[v] = true
			}
		}
		return true
	})
	return out
}

// TestNamesMatchApp checks the names duplicated from the application:
// every variable the stack sets is one internal/config reads, the driver
// value is one it accepts, and the rule's source is events.Source.
func TestNamesMatchApp(t *testing.T) {
	cfg := stringLits(t, "internal/config/aws.go")
	for k, v := range stringLits(t, "internal/config/config.go") {
		cfg[k] = v
	}
	for _, name := range []string{envTable, envQueueUrgent, envQueueNormal, envQueueBulk, envCommandQueue,
		envWebhookQueue, envEventBus, envAdminKeySecretARN, envDriver, envDeviceTable, driverWhatsmeow,
		envMediaBucket, envPublicURL, envMediaRetentionDays} {
		require.Truef(t, cfg[name], "internal/config does not know %q", name)
	}
	_, consts := sourceFile(t, "events/events.go")
	require.Equal(t, consts["Source"], eventSource)
	// The outbox lag alarm reads the metric the session host writes.
	_, consts = sourceFile(t, "internal/cloud/host.go")
	require.Equal(t, consts["metricNamespace"], hostMetricsNamespace)
	require.Equal(t, consts["metricLag"], outboxLagMetric)
	require.Equal(t, consts["dimensionTable"], outboxLagDimension)
}
