package schema

import (
	"encoding/json"
	"math"
	"strconv"
	"time"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/language/ast"

	"claimgraph/graph"
)

// parseDateTime reads a DateTime input with graph.ParseAsOf: an RFC 3339
// date-time, a date-time without a zone (UTC), or a date, taken as the last
// nanosecond of that day in UTC. ok is false for anything else. The instant
// of a date alone is in the zone dateOnlyZone (UTC by another name), so that
// a DateRange can tell a date from a date-time (see isDateOnly).
func parseDateTime(s string) (time.Time, bool) {
	t, ok := graph.ParseAsOf(s)
	if ok && len(s) == len(time.DateOnly) {
		t = t.In(time.FixedZone(dateOnlyZone, 0))
	}
	return t, ok
}

// dateOnlyZone names the zone of the instants parseDateTime read from a
// date alone.
const dateOnlyZone = "UTC date"

// isDateOnly reports whether t was read from a date alone (2026-01-07).
func isDateOnly(t time.Time) bool { return t.Location().String() == dateOnlyZone }

// formatDateTime writes an instant as RFC 3339 in UTC with as many
// fractional digits as it needs, so that a revision's at, given back as
// asOf, names exactly that revision.
func formatDateTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// newDateTime builds the DateTime scalar: outputs are instants in RFC 3339
// (UTC, nanoseconds when present); inputs are RFC 3339 date-times or dates.
func newDateTime() *graphql.Scalar {
	parse := func(v interface{}) interface{} {
		s, ok := v.(string)
		if !ok {
			return nil
		}
		t, ok := parseDateTime(s)
		if !ok {
			return nil
		}
		return t
	}
	return graphql.NewScalar(graphql.ScalarConfig{
		Name: "DateTime",
		Description: "An instant, written in RFC 3339 (2026-02-03T10:00:00Z; outputs are UTC, with fractional seconds " +
			"to the nanosecond when the instant has them). As an input, a date alone (2026-02-03) means the last " +
			"nanosecond of that day in UTC (23:59:59.999999999Z): as the graph stood that day.",
		Serialize: func(v interface{}) interface{} {
			switch v := v.(type) {
			case time.Time:
				return formatDateTime(v)
			case *time.Time:
				if v == nil {
					return nil
				}
				return formatDateTime(*v)
			}
			return nil
		},
		ParseValue: parse,
		ParseLiteral: func(v ast.Value) interface{} {
			if s, ok := v.(*ast.StringValue); ok {
				return parse(s.Value)
			}
			return nil
		},
	})
}

// newJSON builds the JSON scalar: any JSON value. Outputs are JSON as
// stored (json.RawMessage); inputs are taken from variables as decoded, or
// from literals (objects, lists, strings, numbers, booleans; graphql-go
// v0.8.1 parses no null literal, so a null must come in a variable).
func newJSON() *graphql.Scalar {
	return graphql.NewScalar(graphql.ScalarConfig{
		Name: "JSON",
		Description: "Any JSON value. In a revision, the bundle-shaped record as it was (before) or became (after); " +
			"as an input, a bundle-shaped JSON object, written as a GraphQL object literal or passed in a variable.",
		Serialize: func(v interface{}) interface{} {
			switch v := v.(type) {
			case json.RawMessage:
				if len(v) == 0 || string(v) == "null" {
					return nil
				}
				return v
			case nil:
				return nil
			}
			return v
		},
		ParseValue: func(v interface{}) interface{} { return v },
		ParseLiteral: func(v ast.Value) interface{} {
			out, ok := literalJSON(v, 0)
			if !ok {
				return nil
			}
			return out
		},
	})
}

// maxJSONNesting bounds the nesting of a JSON literal.
const maxJSONNesting = 64

// literalJSON converts a GraphQL literal to the Go value encoding/json
// would decode from the same JSON. Variables inside a literal are not
// supported (ok is false).
func literalJSON(v ast.Value, depth int) (interface{}, bool) {
	if depth > maxJSONNesting {
		return nil, false
	}
	switch v := v.(type) {
	case *ast.ObjectValue:
		m := make(map[string]interface{}, len(v.Fields))
		for _, f := range v.Fields {
			if f == nil || f.Name == nil {
				return nil, false
			}
			val, ok := literalJSON(f.Value, depth+1)
			if !ok {
				return nil, false
			}
			m[f.Name.Value] = val
		}
		return m, true
	case *ast.ListValue:
		l := make([]interface{}, 0, len(v.Values))
		for _, e := range v.Values {
			val, ok := literalJSON(e, depth+1)
			if !ok {
				return nil, false
			}
			l = append(l, val)
		}
		return l, true
	case *ast.StringValue:
		return v.Value, true
	case *ast.EnumValue: // a bare name, taken as a string
		return v.Value, true
	case *ast.BooleanValue:
		return v.Value, true
	case *ast.IntValue:
		f, err := strconv.ParseFloat(v.Value, 64)
		return f, err == nil && !math.IsInf(f, 0)
	case *ast.FloatValue:
		f, err := strconv.ParseFloat(v.Value, 64)
		return f, err == nil && !math.IsInf(f, 0)
	}
	return nil, false
}
