package schema

import (
	"bytes"
	"context"
	"math"
	"reflect"
	"sync"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/language/ast"
	lru "github.com/hashicorp/golang-lru/v2"
)

// The compiled executor
//
// graphql-go v0.8.1 resolves every field through maps, closures and
// reflection, and builds a map per object that the response writer then
// orders again. fastExecute runs the common case of a query itself, in the
// manner of graphql-go's Execute step by step (collectFields with @skip and
// @include and fragment type conditions, getArgumentValues, the same
// ResolveParams and ResolveInfo for every resolver, thunks called breadth
// first level by level as graphql-go's dethunking does, so the loaders
// batch the same reads, leaf values serialised by their types, abstract
// types through ResolveType), with the sub-selection of each field for each
// runtime type collected once (per document, kept across requests, or per
// request when an @skip or @include reads a variable) instead of once per
// object, and writes the data in response order directly.
//
// It answers only what it can answer exactly as graphql-go would: a query
// operation without errors. Anything else (a mutation, __schema or
// __type, a variable or argument that does not coerce, a resolver that
// returns an error or panics, a null in a non-null position, a value that
// does not fit its type) makes it give up, and the request is executed by
// graphql-go from the start, so that its errors, and its data next to
// them, are graphql-go's. A differential test compares the two on every
// query the package's tests send and on generated documents.

// fastFallback is the panic value with which the executor gives up.
type fastFallback struct{}

// fastExec is the state of one execution (or of one compilation, without
// variables).
type fastExec struct {
	schema *graphql.Schema
	op     *ast.OperationDefinition
	frags  map[string]ast.Definition
	vars   map[string]interface{}
	ctx    context.Context
	// queue holds the containers whose thunks are still to be called, in
	// the breadth-first order of graphql-go's dethunking.
	queue []interface{}
	// sharePlans builds plans shared by every execution of the document,
	// with arguments only where they use no variable.
	sharePlans bool
	// shared, when set, guards the plans of a compiled document, which
	// executions extend as they meet new runtime types.
	shared *sync.Mutex
	// args are the arguments of fields that use variables, per field.
	args map[*fastField]map[string]interface{}
}

// fastObject is one object of the result: its fields in response order.
type fastObject struct {
	plan *fastPlan
	vals []interface{} // per plan field: nil, a leaf, *fastObject, *fastList or *fastPending
}

// fastList is one list of the result.
type fastList struct {
	items []interface{}
}

// fastPending is a thunk not yet called, with what completes its value.
type fastPending struct {
	fn   func() (interface{}, error)
	t    graphql.Type
	pf   *fastField
	info graphql.ResolveInfo
	path *graphql.ResponsePath
}

// fastPlan is the collected sub-selection of one field (or of the
// operation) for one runtime object type: its fields in response order.
type fastPlan struct {
	fields []*fastField
}

// fastField is one response key of a plan.
type fastField struct {
	key   string
	name  string
	asts  []*ast.Field
	def   *graphql.FieldDefinition
	order *orderNode // the key's order node, for its value
	// args are the field's arguments when they use no variable (varArgs
	// false); otherwise each execution computes them once.
	args    map[string]interface{}
	varArgs bool
	// subs are the plans of the field's value, by runtime type.
	subs map[*graphql.Object]*fastPlan
	// keyJSON is the key as a JSON string with its colon.
	keyJSON []byte
	// keyVal is the key as the Key of a graphql.ResponsePath.
	keyVal interface{}
}

// fastCompiled is what a document compiles to: its fragments and, when no
// @skip or @include of it reads a variable, the plan of its operation,
// shared by every execution. The plans of the fields' values are made when
// an execution first meets a runtime type (under mu), not for every type
// that could occur: nested interfaces would multiply them.
type fastCompiled struct {
	frags map[string]ast.Definition
	root  *fastPlan
	mu    sync.Mutex
	// slow marks a document that graphql-go always runs (__schema,
	// __type, a definition graphql-go refuses to execute).
	slow bool
}

// fastCache keeps compiled documents by operation (the handler's docCache
// keeps the documents themselves, so a repeated query text yields the same
// operation).
type fastCache struct {
	c *lru.Cache[*ast.OperationDefinition, *fastCompiled]
	// bufs are buffers in which fastExecute writes the data, which it then
	// copies at its size: without them the buffer of every request grows
	// by doubling, a copy each time.
	bufs sync.Pool
}

func newFastCache() *fastCache {
	c, err := lru.New[*ast.OperationDefinition, *fastCompiled](docCacheSize)
	if err != nil {
		panic(err) // only for a size below 1
	}
	return &fastCache{c: c}
}

// compiled returns the compilation of op, compiling it on first use.
func (fc *fastCache) compiled(s *graphql.Schema, doc *ast.Document, op *ast.OperationDefinition) *fastCompiled {
	if fc != nil {
		if c, ok := fc.c.Get(op); ok {
			return c
		}
	}
	c := compileFast(s, doc, op)
	if fc != nil {
		fc.c.Add(op, c)
	}
	return c
}

// compileFast compiles a query operation.
func compileFast(s *graphql.Schema, doc *ast.Document, op *ast.OperationDefinition) (c *fastCompiled) {
	c = &fastCompiled{frags: map[string]ast.Definition{}}
	if op == nil || op.Operation != ast.OperationTypeQuery || s.QueryType() == nil {
		c.slow = true
		return c
	}
	for _, d := range doc.Definitions {
		switch d := d.(type) {
		case *ast.OperationDefinition:
		case *ast.FragmentDefinition:
			key := ""
			if d.GetName() != nil && d.GetName().Value != "" {
				key = d.GetName().Value
			}
			c.frags[key] = d
		default:
			c.slow = true
			return c
		}
	}
	if directivesUseVariables(doc) {
		return c // plans are made per execution
	}
	defer func() {
		if v := recover(); v != nil {
			c.root, c.slow = nil, true
		}
	}()
	x := &fastExec{schema: s, op: op, frags: c.frags, sharePlans: true}
	root := &orderNode{sets: []*ast.SelectionSet{op.SelectionSet}, frags: fragments(doc)}
	c.root = x.plan(s.QueryType(), root, []*ast.SelectionSet{op.SelectionSet})
	return c
}

// directivesUseVariables reports whether an @skip or @include of the
// document reads a variable.
func directivesUseVariables(doc *ast.Document) bool {
	found := false
	var sets func(set *ast.SelectionSet)
	dirs := func(ds []*ast.Directive) {
		for _, d := range ds {
			if d != nil && hasVariable(d.Arguments) {
				found = true
			}
		}
	}
	sets = func(set *ast.SelectionSet) {
		if set == nil {
			return
		}
		for _, sel := range set.Selections {
			switch sel := sel.(type) {
			case *ast.Field:
				dirs(sel.Directives)
				sets(sel.SelectionSet)
			case *ast.InlineFragment:
				dirs(sel.Directives)
				sets(sel.SelectionSet)
			case *ast.FragmentSpread:
				dirs(sel.Directives)
			}
		}
	}
	for _, d := range doc.Definitions {
		switch d := d.(type) {
		case *ast.OperationDefinition:
			sets(d.SelectionSet)
		case *ast.FragmentDefinition:
			sets(d.SelectionSet)
		}
	}
	return found
}

// hasVariable reports whether argument values name a variable.
func hasVariable(args []*ast.Argument) bool {
	var val func(v ast.Value) bool
	val = func(v ast.Value) bool {
		switch v := v.(type) {
		case *ast.Variable:
			return true
		case *ast.ListValue:
			for _, e := range v.Values {
				if val(e) {
					return true
				}
			}
		case *ast.ObjectValue:
			for _, f := range v.Fields {
				if f != nil && val(f.Value) {
					return true
				}
			}
		}
		return false
	}
	for _, a := range args {
		if a != nil && val(a.Value) {
			return true
		}
	}
	return false
}

// fastExecute runs op (a query) on s and returns the encoded data, or false
// when graphql-go must run it instead. The compilation of the document is
// kept in fc (nil: none kept).
func fastExecute(ctx context.Context, s *graphql.Schema, doc *ast.Document, op *ast.OperationDefinition, vars map[string]interface{}, fc *fastCache) (data []byte, ok bool) {
	c := fc.compiled(s, doc, op)
	if c.slow {
		return nil, false
	}
	x := &fastExec{schema: s, op: op, ctx: ctx, frags: c.frags}
	if c.root != nil {
		x.sharePlans, x.shared = true, &c.mu
	}
	defer func() {
		if v := recover(); v != nil {
			data, ok = nil, false
		}
	}()
	x.vars = x.variableValues(op.VariableDefinitions, vars)
	plan := c.root
	if plan == nil {
		root := &orderNode{sets: []*ast.SelectionSet{op.SelectionSet}, frags: fragments(doc)}
		plan = x.plan(s.QueryType(), root, []*ast.SelectionSet{op.SelectionSet})
	}
	obj := x.executeFields(s.QueryType(), nil, plan, nil)
	x.queue = append(x.queue, obj)
	for i := 0; i < len(x.queue); i++ {
		x.dethunk(x.queue[i])
	}
	if fc == nil {
		var buf bytes.Buffer
		writeFast(&buf, obj)
		return buf.Bytes(), true
	}
	buf, _ := fc.bufs.Get().(*bytes.Buffer)
	if buf == nil {
		buf = new(bytes.Buffer)
	}
	buf.Reset()
	writeFast(buf, obj)
	data = bytes.Clone(buf.Bytes())
	if buf.Cap() <= maxPooledBuffer {
		fc.bufs.Put(buf)
	}
	return data, true
}

// maxPooledBuffer is the capacity above which a buffer of fastCache.bufs is
// dropped after use, so that one large answer does not stay in memory.
const maxPooledBuffer = 256 << 10

// giveUp abandons the execution.
func giveUp() { panic(fastFallback{}) }

// dethunk calls the thunks held directly by a container and queues the
// containers it holds, as graphql-go's dethunkMapBreadthFirst does.
func (x *fastExec) dethunk(c interface{}) {
	var vals []interface{}
	switch c := c.(type) {
	case *fastObject:
		vals = c.vals
	case *fastList:
		vals = c.items
	}
	for i, v := range vals {
		if p, ok := v.(*fastPending); ok {
			vals[i] = x.completeThunk(p)
		}
		switch vals[i].(type) {
		case *fastObject, *fastList:
			x.queue = append(x.queue, vals[i])
		}
	}
}

// completeThunk calls a thunk and completes its value.
func (x *fastExec) completeThunk(p *fastPending) interface{} {
	res, err := p.fn()
	if err != nil {
		giveUp()
	}
	return x.complete(p.t, p.pf, p.info, p.path, res)
}

// executeFields resolves the fields of a plan on source.
func (x *fastExec) executeFields(t *graphql.Object, source interface{}, plan *fastPlan, path *graphql.ResponsePath) *fastObject {
	if source == nil {
		source = map[string]interface{}{}
	}
	obj := &fastObject{plan: plan, vals: make([]interface{}, len(plan.fields))}
	// The paths of the fields, as path.WithKey makes them, in one
	// allocation, with keys boxed once per plan.
	paths := make([]graphql.ResponsePath, len(plan.fields))
	for i, f := range plan.fields {
		paths[i] = graphql.ResponsePath{Prev: path, Key: f.keyVal}
		obj.vals[i] = x.resolveField(t, source, f, &paths[i])
	}
	return obj
}

// resolveField resolves one field, as graphql-go's resolveField.
func (x *fastExec) resolveField(t *graphql.Object, source interface{}, f *fastField, path *graphql.ResponsePath) interface{} {
	info := graphql.ResolveInfo{
		FieldName:      f.name,
		FieldASTs:      f.asts,
		Path:           path,
		ReturnType:     f.def.Type,
		ParentType:     t,
		Schema:         *x.schema,
		Fragments:      x.frags,
		RootValue:      nil,
		Operation:      x.op,
		VariableValues: x.vars,
	}
	fn := f.def.Resolve
	if fn == nil {
		fn = graphql.DefaultResolveFn
	}
	// Resolvers read their arguments and never write them, so one map
	// serves every call of the field (graphql-go makes one per call).
	args := f.args
	if f.varArgs {
		if args = x.args[f]; args == nil {
			args = x.argumentValues(f.def.Args, f.asts[0].Arguments)
			if x.args == nil {
				x.args = map[*fastField]map[string]interface{}{}
			}
			x.args[f] = args
		}
	}
	res, err := fn(graphql.ResolveParams{Source: source, Args: args, Info: info, Context: x.ctx})
	if err != nil {
		giveUp()
	}
	return x.complete(f.def.Type, f, info, path, res)
}

// complete completes a resolved value of type t, as graphql-go's
// completeValue.
func (x *fastExec) complete(t graphql.Type, f *fastField, info graphql.ResolveInfo, path *graphql.ResponsePath, res interface{}) interface{} {
	if th, ok := res.(func() (interface{}, error)); ok {
		return &fastPending{fn: th, t: t, pf: f, info: info, path: path}
	}
	if res != nil && reflect.TypeOf(res).Kind() == reflect.Func {
		giveUp() // graphql-go fails on thunks of other signatures
	}
	if nn, ok := t.(*graphql.NonNull); ok {
		v := x.complete(nn.OfType, f, info, path, res)
		if v == nil {
			giveUp()
		}
		return v
	}
	if isNullish(res) {
		return nil
	}
	switch t := t.(type) {
	case *graphql.List:
		return x.completeList(t, f, info, path, res)
	case *graphql.Scalar:
		if _, ok := res.(string); ok && (t == graphql.String || t == graphql.ID) {
			return res // what their Serialize, fmt.Sprintf("%v"), returns
		}
		return completeLeaf(t.Serialize(res))
	case *graphql.Enum:
		return completeLeaf(t.Serialize(res))
	case *graphql.Union:
		return x.completeAbstract(t, x.runtimeType(t, t.ResolveType, res, info), f, info, path, res)
	case *graphql.Interface:
		return x.completeAbstract(t, x.runtimeType(t, t.ResolveType, res, info), f, info, path, res)
	case *graphql.Object:
		return x.completeObject(t, f, info, path, res)
	}
	giveUp()
	return nil
}

// completeLeaf returns a serialised leaf value, nil when it is nullish.
func completeLeaf(v interface{}) interface{} {
	if isNullish(v) {
		return nil
	}
	return v
}

// defaultResolveType tries IsTypeOf of each possible type, as graphql-go's
// defaultResolveTypeFn.
// runtimeType is the object type of res in the abstract type t: its
// ResolveType (resolve) when it has one, else the default resolution.
func (x *fastExec) runtimeType(t graphql.Abstract, resolve graphql.ResolveTypeFn, res interface{}, info graphql.ResolveInfo) *graphql.Object {
	if resolve != nil {
		return resolve(graphql.ResolveTypeParams{Value: res, Info: info, Context: x.ctx})
	}
	return x.defaultResolveType(t, res, info)
}

func (x *fastExec) defaultResolveType(t graphql.Abstract, res interface{}, info graphql.ResolveInfo) *graphql.Object {
	for _, pt := range x.schema.PossibleTypes(t) {
		if pt.IsTypeOf == nil {
			continue
		}
		if pt.IsTypeOf(graphql.IsTypeOfParams{Value: res, Info: info, Context: x.ctx}) {
			return pt
		}
	}
	return nil
}

// completeAbstract completes the value of an interface or union as the
// object type rt.
func (x *fastExec) completeAbstract(t graphql.Abstract, rt *graphql.Object, f *fastField, info graphql.ResolveInfo, path *graphql.ResponsePath, res interface{}) interface{} {
	if rt == nil || !x.schema.IsPossibleType(t, rt) {
		giveUp()
	}
	return x.completeObject(rt, f, info, path, res)
}

// completeObject resolves the sub-selection of f on res, an object of
// type t.
func (x *fastExec) completeObject(t *graphql.Object, f *fastField, info graphql.ResolveInfo, path *graphql.ResponsePath, res interface{}) interface{} {
	if t.IsTypeOf != nil && !t.IsTypeOf(graphql.IsTypeOfParams{Value: res, Info: info, Context: x.ctx}) {
		giveUp()
	}
	return x.executeFields(t, res, x.subPlan(f, t), path)
}

// subPlan returns the plan of f's value as an object of type t, made on
// first use.
func (x *fastExec) subPlan(f *fastField, t *graphql.Object) *fastPlan {
	if x.shared != nil {
		x.shared.Lock()
		defer x.shared.Unlock()
	}
	if p := f.subs[t]; p != nil {
		return p
	}
	sets := make([]*ast.SelectionSet, 0, len(f.asts))
	for _, a := range f.asts {
		if a != nil && a.SelectionSet != nil {
			sets = append(sets, a.SelectionSet)
		}
	}
	p := x.plan(t, f.order, sets)
	if f.subs == nil {
		f.subs = map[*graphql.Object]*fastPlan{}
	}
	f.subs[t] = p
	return p
}

// completeList completes each item of a list.
func (x *fastExec) completeList(t *graphql.List, f *fastField, info graphql.ResolveInfo, path *graphql.ResponsePath, res interface{}) interface{} {
	if items, ok := res.([]interface{}); ok {
		out := &fastList{items: make([]interface{}, len(items))}
		paths := make([]graphql.ResponsePath, len(items)) // as path.WithKey(i) makes them, in one allocation
		for i, v := range items {
			paths[i] = graphql.ResponsePath{Prev: path, Key: i}
			out.items[i] = x.complete(t.OfType, f, info, &paths[i], v)
		}
		return out
	}
	rv := reflect.ValueOf(res)
	if rv.Kind() == reflect.Ptr {
		rv = rv.Elem()
	}
	if !rv.IsValid() || (rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array) {
		giveUp()
	}
	out := &fastList{items: make([]interface{}, rv.Len())}
	for i := range out.items {
		out.items[i] = x.complete(t.OfType, f, info, path.WithKey(i), rv.Index(i).Interface())
	}
	return out
}

// plan collects the fields of the selection sets for the runtime type t,
// as graphql-go's collectFields, in response order (the order of n).
func (x *fastExec) plan(t *graphql.Object, n *orderNode, sets []*ast.SelectionSet) *fastPlan {
	byKey := map[string]*fastField{}
	var keys []string
	visited := map[string]bool{}
	var collect func(set *ast.SelectionSet)
	collect = func(set *ast.SelectionSet) {
		if set == nil {
			return
		}
		for _, sel := range set.Selections {
			switch sel := sel.(type) {
			case *ast.Field:
				if !x.shouldInclude(sel.Directives) {
					continue
				}
				key := fieldKey(sel)
				f := byKey[key]
				if f == nil {
					f = &fastField{key: key}
					byKey[key] = f
					keys = append(keys, key)
				}
				f.asts = append(f.asts, sel)
			case *ast.InlineFragment:
				if !x.shouldInclude(sel.Directives) || !x.conditionMatches(sel.TypeCondition, t) {
					continue
				}
				collect(sel.SelectionSet)
			case *ast.FragmentSpread:
				name := ""
				if sel.Name != nil {
					name = sel.Name.Value
				}
				if visited[name] || !x.shouldInclude(sel.Directives) {
					continue
				}
				visited[name] = true
				fd, ok := x.frags[name].(*ast.FragmentDefinition)
				if !ok || !x.conditionMatches(fd.TypeCondition, t) {
					continue
				}
				collect(fd.SelectionSet)
			default:
				giveUp()
			}
		}
	}
	for _, s := range sets {
		collect(s)
	}
	n.build()
	p := &fastPlan{fields: make([]*fastField, 0, len(keys))}
	for _, key := range n.order {
		f := byKey[key]
		if f == nil {
			continue
		}
		delete(byKey, key)
		if f.asts[0].Name != nil {
			f.name = f.asts[0].Name.Value
		}
		f.def = x.fieldDef(t, f.name)
		if f.def == nil {
			continue // graphql-go leaves out a field without definition
		}
		if x.sharePlans && hasVariable(f.asts[0].Arguments) {
			f.varArgs = true
		} else {
			f.args = x.argumentValues(f.def.Args, f.asts[0].Arguments)
		}
		f.order = n.kids[key]
		f.keyJSON = append(appendJSONString(nil, key), ':')
		f.keyVal = key
		p.fields = append(p.fields, f)
	}
	if len(byKey) > 0 {
		giveUp() // a key the order does not know: never, since both read the same sets
	}
	return p
}

// fieldKey is the response key of a field.
func fieldKey(f *ast.Field) string {
	if f.Alias != nil && f.Alias.Value != "" {
		return f.Alias.Value
	}
	if f.Name != nil && f.Name.Value != "" {
		return f.Name.Value
	}
	return ""
}

// fieldDef looks a field up as graphql-go's getFieldDef; __schema and
// __type are left to graphql-go.
func (x *fastExec) fieldDef(t *graphql.Object, name string) *graphql.FieldDefinition {
	switch name {
	case "__schema", "__type":
		if x.schema.QueryType() == t {
			giveUp()
		}
	case "__typename":
		return graphql.TypeNameMetaFieldDef
	}
	return t.Fields()[name]
}

// shouldInclude applies @skip and @include, as graphql-go's
// shouldIncludeNode.
func (x *fastExec) shouldInclude(dirs []*ast.Directive) bool {
	var skip, include *ast.Directive
	for _, d := range dirs {
		if d == nil || d.Name == nil {
			continue
		}
		switch d.Name.Value {
		case graphql.SkipDirective.Name:
			skip = d
		case graphql.IncludeDirective.Name:
			include = d
		}
	}
	if skip != nil {
		if v, ok := x.argumentValues(graphql.SkipDirective.Args, skip.Arguments)["if"].(bool); ok && v {
			return false
		}
	}
	if include != nil {
		if v, ok := x.argumentValues(graphql.IncludeDirective.Args, include.Arguments)["if"].(bool); ok && !v {
			return false
		}
	}
	return true
}

// conditionMatches reports whether a fragment's type condition applies to
// the object type t, as graphql-go's doesFragmentConditionMatch.
func (x *fastExec) conditionMatches(cond *ast.Named, t *graphql.Object) bool {
	if cond == nil {
		return true
	}
	name := ""
	if cond.Name != nil {
		name = cond.Name.Value
	}
	ct := x.schema.Type(name)
	if ct == nil {
		giveUp() // graphql-go would call a method on a nil type
	}
	if ct == graphql.Type(t) || ct.Name() == t.Name() {
		return true
	}
	switch ct := ct.(type) {
	case *graphql.Interface:
		return x.schema.IsPossibleType(ct, t)
	case *graphql.Union:
		return x.schema.IsPossibleType(ct, t)
	}
	return false
}

// argumentValues computes a field's or directive's arguments, as
// graphql-go's getArgumentValues.
func (x *fastExec) argumentValues(defs []*graphql.Argument, asts []*ast.Argument) map[string]interface{} {
	out := map[string]interface{}{}
	for _, d := range defs {
		var val ast.Value
		for _, a := range asts {
			if a.Name != nil && a.Name.Value == d.PrivateName {
				val = a.Value // the last of a name wins, as in graphql-go's map
			}
		}
		v := valueFromAST(val, d.Type, x.vars)
		if isNullish(v) {
			v = d.DefaultValue
		}
		if !isNullish(v) {
			out[d.PrivateName] = v
		}
	}
	return out
}

// variableValues coerces the variables, as graphql-go's getVariableValues;
// a variable that graphql-go would refuse makes the executor give up.
func (x *fastExec) variableValues(defs []*ast.VariableDefinition, inputs map[string]interface{}) map[string]interface{} {
	out := map[string]interface{}{}
	for _, d := range defs {
		if d == nil || d.Variable == nil || d.Variable.Name == nil {
			continue
		}
		name := d.Variable.Name.Value
		t := x.typeFromAST(d.Type)
		in, ok := t.(graphql.Input)
		if t == nil || !ok || !graphql.IsInputType(t) {
			giveUp()
		}
		input := inputs[name]
		if !validInput(input, in) {
			giveUp()
		}
		if isNullish(input) && d.DefaultValue != nil {
			out[name] = valueFromAST(d.DefaultValue, in, nil)
			continue
		}
		out[name] = coerceValue(in, input)
	}
	return out
}

// typeFromAST returns the type an AST type names, nil for an unknown name.
func (x *fastExec) typeFromAST(t ast.Type) graphql.Type {
	switch t := t.(type) {
	case *ast.List:
		inner := x.typeFromAST(t.Type)
		if inner == nil {
			return nil
		}
		return graphql.NewList(inner)
	case *ast.NonNull:
		inner := x.typeFromAST(t.Type)
		if inner == nil {
			return nil
		}
		return graphql.NewNonNull(inner)
	case *ast.Named:
		name := ""
		if t.Name != nil {
			name = t.Name.Value
		}
		return x.schema.Type(name)
	}
	return nil
}

// validInput reports whether graphql-go's isValidInputValue accepts value
// for the type.
func validInput(value interface{}, t graphql.Input) bool {
	if isNullish(value) {
		_, nonNull := t.(*graphql.NonNull)
		return !nonNull
	}
	switch t := t.(type) {
	case *graphql.NonNull:
		return validInput(value, t.OfType)
	case *graphql.List:
		rv := reflect.ValueOf(value)
		if rv.Kind() == reflect.Ptr {
			rv = rv.Elem()
		}
		if rv.Kind() == reflect.Slice {
			for i := 0; i < rv.Len(); i++ {
				if !validInput(rv.Index(i).Interface(), t.OfType) {
					return false
				}
			}
			return true
		}
		return validInput(value, t.OfType)
	case *graphql.InputObject:
		m, ok := value.(map[string]interface{})
		if !ok {
			return false
		}
		fields := t.Fields()
		for k := range m {
			if _, ok := fields[k]; !ok {
				return false
			}
		}
		for k, f := range fields {
			if !validInput(m[k], f.Type) {
				return false
			}
		}
		return true
	case *graphql.Scalar:
		return !isNullish(t.ParseValue(value))
	case *graphql.Enum:
		return !isNullish(t.ParseValue(value))
	}
	return true
}

// coerceValue coerces a valid input value, as graphql-go's coerceValue.
func coerceValue(t graphql.Input, value interface{}) interface{} {
	if isNullish(value) {
		return nil
	}
	switch t := t.(type) {
	case *graphql.NonNull:
		return coerceValue(t.OfType, value)
	case *graphql.List:
		values := []interface{}{}
		rv := reflect.ValueOf(value)
		if rv.Kind() == reflect.Slice {
			for i := 0; i < rv.Len(); i++ {
				values = append(values, coerceValue(t.OfType, rv.Index(i).Interface()))
			}
			return values
		}
		return append(values, coerceValue(t.OfType, value))
	case *graphql.InputObject:
		obj := map[string]interface{}{}
		m, _ := value.(map[string]interface{})
		if m == nil {
			m = map[string]interface{}{}
		}
		for name, f := range t.Fields() {
			v := coerceValue(f.Type, m[name])
			if isNullish(v) {
				v = f.DefaultValue
			}
			if !isNullish(v) {
				obj[name] = v
			}
		}
		return obj
	case *graphql.Scalar:
		if p := t.ParseValue(value); !isNullish(p) {
			return p
		}
	case *graphql.Enum:
		if p := t.ParseValue(value); !isNullish(p) {
			return p
		}
	}
	return nil
}

// valueFromAST produces the value of a literal or variable, as graphql-go's
// valueFromAST.
func valueFromAST(v ast.Value, t graphql.Input, vars map[string]interface{}) interface{} {
	if v == nil {
		return nil
	}
	if vr, ok := v.(*ast.Variable); ok {
		if vr.Name == nil || vars == nil {
			return nil
		}
		return vars[vr.Name.Value]
	}
	switch t := t.(type) {
	case *graphql.NonNull:
		return valueFromAST(v, t.OfType, vars)
	case *graphql.List:
		values := []interface{}{}
		if lv, ok := v.(*ast.ListValue); ok {
			for _, item := range lv.Values {
				values = append(values, valueFromAST(item, t.OfType, vars))
			}
			return values
		}
		return append(values, valueFromAST(v, t.OfType, vars))
	case *graphql.InputObject:
		ov, ok := v.(*ast.ObjectValue)
		if !ok {
			return nil
		}
		fields := map[string]*ast.ObjectField{}
		for _, of := range ov.Fields {
			if of == nil || of.Name == nil {
				continue
			}
			fields[of.Name.Value] = of
		}
		obj := map[string]interface{}{}
		for name, f := range t.Fields() {
			var val interface{}
			if of, ok := fields[name]; ok {
				val = valueFromAST(of.Value, f.Type, vars)
			} else {
				val = f.DefaultValue
			}
			if !isNullish(val) {
				obj[name] = val
			}
		}
		return obj
	case *graphql.Scalar:
		return t.ParseLiteral(v)
	case *graphql.Enum:
		return t.ParseLiteral(v)
	}
	return nil
}

// isNullish reports whether a value is null for graphql-go: nil, a nil
// pointer, or NaN.
func isNullish(v interface{}) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string, bool:
		return false
	case int:
		return false
	case float64:
		return math.IsNaN(v)
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Ptr {
		if rv.IsNil() {
			return true
		}
		rv = rv.Elem()
	}
	switch rv.Kind() {
	case reflect.Float32, reflect.Float64:
		return math.IsNaN(rv.Float())
	}
	return false
}

// writeFast writes a result value as JSON, objects in response order, leaf
// values as writeOrdered writes graphql-go's.
func writeFast(buf *bytes.Buffer, v interface{}) {
	switch v := v.(type) {
	case *fastObject:
		buf.WriteByte('{')
		first := true
		for i, f := range v.plan.fields {
			if !first {
				buf.WriteByte(',')
			}
			first = false
			buf.Write(f.keyJSON)
			writeFast(buf, v.vals[i])
		}
		buf.WriteByte('}')
	case *fastList:
		buf.WriteByte('[')
		for i, e := range v.items {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeFast(buf, e)
		}
		buf.WriteByte(']')
	case *fastPending:
		giveUp() // every thunk was called before writing
	case string:
		buf.Write(appendJSONString(buf.AvailableBuffer(), v))
	default:
		writeOrdered(buf, v, nil)
	}
}
