package schema

import (
	"math"
	"strconv"
	"strings"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/language/ast"
)

// scanQuery counts a query's tokens and its deepest nesting of braces,
// brackets and parentheses without parsing it, skipping strings, block
// strings and comments. It runs before the parser, whose recursion a deeply
// nested query could otherwise drive past the goroutine stack limit (a fatal
// error, not a panic), and bounds the work of parsing and validation.
func scanQuery(q string) (tokens, depth int) {
	nest := 0
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == 0xEF || c == 0xBB || c == 0xBF:
			i++ // white space, commas, and the bytes of a byte order mark
		case c == '#':
			for i < len(q) && q[i] != '\n' && q[i] != '\r' {
				i++
			}
		case c == '"':
			tokens++
			if len(q)-i >= 3 && q[i+1] == '"' && q[i+2] == '"' {
				i += 3
				for i < len(q) {
					if q[i] == '\\' && len(q)-i >= 4 && q[i+1] == '"' && q[i+2] == '"' && q[i+3] == '"' {
						i += 4
						continue
					}
					if len(q)-i >= 3 && q[i] == '"' && q[i+1] == '"' && q[i+2] == '"' {
						i += 3
						break
					}
					i++
				}
				continue
			}
			i++
			for i < len(q) && q[i] != '"' && q[i] != '\n' && q[i] != '\r' {
				if q[i] == '\\' {
					i++
				}
				i++
			}
			i++
		case c == '{' || c == '[' || c == '(':
			tokens++
			nest++
			if nest > depth {
				depth = nest
			}
			i++
		case c == '}' || c == ']' || c == ')':
			tokens++
			if nest > 0 {
				nest--
			}
			i++
		case isNameByte(c) || c == '-':
			tokens++
			for i < len(q) && (isNameByte(q[i]) || q[i] == '.' || q[i] == '+' || q[i] == '-') {
				i++
			}
			if i < len(q) && q[i] == '-' {
				i++
			}
		default:
			tokens++
			i++
		}
	}
	return tokens, depth
}

func isNameByte(c byte) bool {
	return c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9')
}

// limitError is a LIMIT_EXCEEDED error located in the query.
func limitError(node ast.Node, format string, args ...interface{}) *reqError {
	e := &reqError{code: CodeLimitExceeded, message: errorf(CodeLimitExceeded, format, args...).Message}
	e.locate(node)
	return e
}

// shapeLimits bounds the shape of a document before validation: the depth
// of field nesting, the number of aliases and the number of fields, with
// fragments expanded where they are spread, and the fields written in the
// document. It stops at the first limit crossed, so its work is bounded even
// for fragments that spread each other many times over.
type shapeLimits struct {
	frags                           map[string]*ast.FragmentDefinition
	maxDepth, maxAliases, maxFields int
	fields, aliases                 int
	expanding                       map[string]bool
	err                             *reqError
}

// maxSameName caps how often one response name may be selected at one level
// of the merged result (fragments expanded, same-named parents merged).
// graphql-go's OverlappingFieldsCanBeMerged compares every pair of them,
// and reports every conflicting pair: without a cap, a few hundred
// conflicting fields cost seconds and a response of megabytes.
const maxSameName = 30

// mergeNode counts the fields that land on each response name of one level
// of the merged result.
type mergeNode struct {
	count map[string]int
	kids  map[string]*mergeNode
}

func newMergeNode() *mergeNode {
	return &mergeNode{count: map[string]int{}, kids: map[string]*mergeNode{}}
}

// checkShape applies the limits to every operation of doc.
func checkShape(doc *ast.Document, maxDepth, maxAliases, maxFields int) *reqError {
	w := &shapeLimits{
		frags:      fragments(doc),
		maxDepth:   maxDepth,
		maxAliases: maxAliases,
		maxFields:  maxFields,
		expanding:  map[string]bool{},
	}
	static := 0
	for _, d := range doc.Definitions {
		var set *ast.SelectionSet
		switch d := d.(type) {
		case *ast.OperationDefinition:
			set = d.SelectionSet
		case *ast.FragmentDefinition:
			set = d.SelectionSet
		}
		if n, node := countFields(set, maxFields); n > maxFields {
			return limitError(node, "the query has more than %d fields", maxFields)
		} else {
			static += n
		}
		if static > maxFields {
			return limitError(d, "the query has more than %d fields", maxFields)
		}
	}
	for _, d := range doc.Definitions {
		if op, ok := d.(*ast.OperationDefinition); ok {
			w.fields, w.aliases = 0, 0
			if !w.walk(op.SelectionSet, 1, newMergeNode()) {
				return w.err
			}
		}
	}
	return nil
}

// countFields counts the fields written in set (fragments not expanded),
// stopping past max; it returns the field where it stopped.
func countFields(set *ast.SelectionSet, max int) (int, ast.Node) {
	n := 0
	var last ast.Node
	var visit func(s *ast.SelectionSet) bool
	visit = func(s *ast.SelectionSet) bool {
		if s == nil {
			return true
		}
		for _, sel := range s.Selections {
			switch sel := sel.(type) {
			case *ast.Field:
				n++
				last = sel
				if n > max {
					return false
				}
				if !visit(sel.SelectionSet) {
					return false
				}
			case *ast.InlineFragment:
				if !visit(sel.SelectionSet) {
					return false
				}
			}
		}
		return true
	}
	visit(set)
	return n, last
}

// walk visits the selections of set, whose fields are at depth; it returns
// false once a limit is crossed (w.err says which).
func (w *shapeLimits) walk(set *ast.SelectionSet, depth int, level *mergeNode) bool {
	if set == nil {
		return true
	}
	for _, sel := range set.Selections {
		switch sel := sel.(type) {
		case *ast.Field:
			w.fields++
			if w.fields > w.maxFields {
				w.err = limitError(sel, "the query selects more than %d fields (fragments expanded)", w.maxFields)
				return false
			}
			if sel.Alias != nil && sel.Alias.Value != "" {
				w.aliases++
				if w.aliases > w.maxAliases {
					w.err = limitError(sel, "the query has more than %d aliases", w.maxAliases)
					return false
				}
			}
			if depth > w.maxDepth {
				w.err = limitError(sel, "the query is nested deeper than %d levels", w.maxDepth)
				return false
			}
			name := ""
			if sel.Alias != nil && sel.Alias.Value != "" {
				name = sel.Alias.Value
			} else if sel.Name != nil {
				name = sel.Name.Value
			}
			level.count[name]++
			if level.count[name] > maxSameName {
				w.err = limitError(sel, "%q is selected more than %d times at one level", name, maxSameName)
				return false
			}
			kid := level.kids[name]
			if kid == nil {
				kid = newMergeNode()
				level.kids[name] = kid
			}
			if !w.walk(sel.SelectionSet, depth+1, kid) {
				return false
			}
		case *ast.InlineFragment:
			if !w.walk(sel.SelectionSet, depth, level) {
				return false
			}
		case *ast.FragmentSpread:
			if sel.Name == nil {
				continue
			}
			name := sel.Name.Value
			f := w.frags[name]
			if f == nil || w.expanding[name] {
				continue // unknown fragments and cycles are validation errors
			}
			w.expanding[name] = true
			ok := w.walk(f.SelectionSet, depth, level)
			delete(w.expanding, name)
			if !ok {
				return false
			}
		}
	}
	return true
}

// fragments indexes the fragment definitions of doc by name.
func fragments(doc *ast.Document) map[string]*ast.FragmentDefinition {
	m := map[string]*ast.FragmentDefinition{}
	for _, d := range doc.Definitions {
		if f, ok := d.(*ast.FragmentDefinition); ok && f.Name != nil {
			if _, dup := m[f.Name.Value]; !dup {
				m[f.Name.Value] = f
			}
		}
	}
	return m
}

// costLimits checks, after validation, what needs the schema's types: the
// page size of every connection (first), the ids of nodes, the maxDepth of
// trace, and an estimate of the fields the operation resolves, where a
// connection multiplies what lies below it by its page size and nodes by
// its number of ids.
type costLimits struct {
	schema  *graphql.Schema
	frags   map[string]*ast.FragmentDefinition
	vars    map[string]interface{}
	varDefs map[string]*ast.VariableDefinition
	cfg     Config
	maxCost int
	cost    int
	err     *reqError
}

// checkCost applies costLimits to the operation op and returns the
// estimated number of fields it resolves (reported in extensions.cost).
func checkCost(s *graphql.Schema, doc *ast.Document, op *ast.OperationDefinition, vars map[string]interface{}, cfg Config, maxCost int) (int, *reqError) {
	w := &costLimits{schema: s, frags: fragments(doc), vars: vars, varDefs: map[string]*ast.VariableDefinition{},
		cfg: cfg.withDefaults(), maxCost: maxCost}
	for _, vd := range op.VariableDefinitions {
		if vd != nil && vd.Variable != nil && vd.Variable.Name != nil {
			w.varDefs[vd.Variable.Name.Value] = vd
		}
	}
	var root *graphql.Object
	switch op.Operation {
	case ast.OperationTypeQuery:
		root = s.QueryType()
	case ast.OperationTypeMutation:
		root = s.MutationType()
	}
	if root == nil {
		return 0, nil // refused elsewhere
	}
	w.walk(op.SelectionSet, root, 1, 1, map[string]bool{})
	return w.cost, w.err
}

// Cost weights of the fields that do more than read what they return.
const (
	// costGrouping is the weight of one grouping of an aggregate
	// (QuoteAggregate.bySpeaker ...): a scan of every index entry of the
	// filtered list, counted as this many fields.
	costGrouping = 1000
	// costWhere is added to a root list given where: the index
	// intersection (or the text match) behind its page.
	costWhere = 100
)

// fieldWeight is the cost of one resolution of field sel of type parent:
// 1 for a field that reads what it returns, more for the scans of
// aggregates and filtered lists. ClaimAggregate.byStatus weighs the claims
// it may assess (Config.MaxAssessed).
func (w *costLimits) fieldWeight(parent graphql.Type, sel *ast.Field) int {
	name := sel.Name.Value
	weight := 1
	if parent != nil && strings.HasSuffix(parent.Name(), "Aggregate") && strings.HasPrefix(name, "by") {
		weight = costGrouping
		if name == "byStatus" {
			weight = w.cfg.MaxAssessed
		}
	}
	for _, a := range sel.Arguments {
		if a != nil && a.Name != nil && a.Name.Value == "where" {
			weight = satAdd(weight, costWhere)
		}
	}
	return weight
}

// fieldDef finds a field of a composite type, including the meta fields.
func (w *costLimits) fieldDef(parent graphql.Type, name string) *graphql.FieldDefinition {
	switch name {
	case "__typename":
		return graphql.TypeNameMetaFieldDef
	case "__schema":
		return graphql.SchemaMetaFieldDef
	case "__type":
		return graphql.TypeMetaFieldDef
	}
	switch t := parent.(type) {
	case *graphql.Object:
		return t.Fields()[name]
	case *graphql.Interface:
		return t.Fields()[name]
	}
	return nil
}

// walk estimates the cost of set, whose fields resolve mult times each;
// outer is how often the connection that set belongs to resolves (its
// aggregate is computed once per connection, not once per edge).
func (w *costLimits) walk(set *ast.SelectionSet, parent graphql.Type, mult, outer int, expanding map[string]bool) bool {
	if set == nil || w.err != nil {
		return w.err == nil
	}
	for _, sel := range set.Selections {
		switch sel := sel.(type) {
		case *ast.Field:
			if sel.Name == nil {
				continue
			}
			def := w.fieldDef(parent, sel.Name.Value)
			if def == nil {
				continue
			}
			m := mult
			if sel.Name.Value == "aggregate" && parent != nil && strings.HasSuffix(parent.Name(), "Connection") {
				m = outer
			}
			w.cost = satAdd(w.cost, satMul(m, w.fieldWeight(parent, sel)))
			if w.cost > w.maxCost {
				w.err = limitError(sel, "the query would resolve more than %d fields (estimated from page sizes)", w.maxCost)
				return false
			}
			child := m
			for _, a := range def.Args {
				switch a.Name() {
				case "first":
					n := w.intArg(sel, a)
					if n > w.cfg.MaxPage {
						w.err = limitError(sel, "first: %d is above the maximum page size %d", n, w.cfg.MaxPage)
						return false
					}
					child = satMul(child, max(n, 1))
				case "ids":
					n := w.listLen(sel, a)
					if n > w.cfg.MaxIDs {
						w.err = limitError(sel, "ids: %d ids is above the maximum %d", n, w.cfg.MaxIDs)
						return false
					}
					child = satMul(child, max(n, 1))
				case "maxDepth":
					if n := w.intArg(sel, a); n > w.cfg.MaxTraceDepth {
						w.err = limitError(sel, "maxDepth: %d is above the maximum %d", n, w.cfg.MaxTraceDepth)
						return false
					}
				}
			}
			if sel.SelectionSet != nil {
				named, _ := graphql.GetNamed(def.Type).(graphql.Type)
				if !w.walk(sel.SelectionSet, named, child, m, expanding) {
					return false
				}
			}
		case *ast.InlineFragment:
			t := parent
			if sel.TypeCondition != nil && sel.TypeCondition.Name != nil {
				if ct := w.schema.Type(sel.TypeCondition.Name.Value); ct != nil {
					t = ct
				}
			}
			if !w.walk(sel.SelectionSet, t, mult, outer, expanding) {
				return false
			}
		case *ast.FragmentSpread:
			if sel.Name == nil {
				continue
			}
			f := w.frags[sel.Name.Value]
			if f == nil || expanding[sel.Name.Value] {
				continue
			}
			t := parent
			if f.TypeCondition != nil && f.TypeCondition.Name != nil {
				if ct := w.schema.Type(f.TypeCondition.Name.Value); ct != nil {
					t = ct
				}
			}
			expanding[sel.Name.Value] = true
			ok := w.walk(f.SelectionSet, t, mult, outer, expanding)
			delete(expanding, sel.Name.Value)
			if !ok {
				return false
			}
		}
	}
	return true
}

// argValue returns the AST value of argument name of field f, resolving a
// variable to its definition's default when the request does not give it.
// The second result is the request's value of a variable, if given.
func (w *costLimits) argValue(f *ast.Field, name string) (ast.Value, interface{}, bool) {
	for _, a := range f.Arguments {
		if a.Name == nil || a.Name.Value != name {
			continue
		}
		if v, ok := a.Value.(*ast.Variable); ok && v.Name != nil {
			if val, ok := w.vars[v.Name.Value]; ok && val != nil {
				return nil, val, true
			}
			if vd := w.varDefs[v.Name.Value]; vd != nil && vd.DefaultValue != nil {
				return vd.DefaultValue, nil, true
			}
			return nil, nil, false
		}
		return a.Value, nil, true
	}
	return nil, nil, false
}

// intArg returns the value of an Int argument (its default when absent),
// saturating at math.MaxInt32+1 for values too large for Int.
func (w *costLimits) intArg(f *ast.Field, a *graphql.Argument) int {
	astv, val, ok := w.argValue(f, a.Name())
	if !ok {
		if d, ok := a.DefaultValue.(int); ok {
			return d
		}
		return 0
	}
	if val != nil {
		switch v := val.(type) {
		case float64:
			if v > math.MaxInt32 {
				return math.MaxInt32 + 1
			}
			return int(v)
		case int:
			return v
		}
		return 0
	}
	if iv, ok := astv.(*ast.IntValue); ok {
		n, err := strconv.ParseInt(iv.Value, 10, 64)
		if err != nil || n > math.MaxInt32 {
			return math.MaxInt32 + 1
		}
		return int(n)
	}
	return 0
}

// listLen returns the length of a list argument.
func (w *costLimits) listLen(f *ast.Field, a *graphql.Argument) int {
	astv, val, ok := w.argValue(f, a.Name())
	if !ok {
		return 0
	}
	if val != nil {
		if l, ok := val.([]interface{}); ok {
			return len(l)
		}
		return 1
	}
	if lv, ok := astv.(*ast.ListValue); ok {
		return len(lv.Values)
	}
	return 1
}

func satAdd(a, b int) int {
	if a > math.MaxInt32 || b > math.MaxInt32 {
		return math.MaxInt32 + 1
	}
	return a + b
}

func satMul(a, b int) int {
	if a == 0 || b == 0 {
		return 0
	}
	if a > (math.MaxInt32+1)/b {
		return math.MaxInt32 + 1
	}
	return a * b
}
