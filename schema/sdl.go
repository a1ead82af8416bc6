package schema

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/graphql-go/graphql"
)

// PrintSDL prints the schema in the GraphQL schema definition language, with
// every description as a block string: the named types in alphabetical
// order (interfaces, objects, enums, scalars, input objects), then their
// fields, arguments and enum values in alphabetical order, as introspection
// lists the fields of objects. Built-in scalars, introspection types and
// the specified directives are left out. graphql-go v0.8.1 has no schema
// printer; schema/schema.graphql is this function's output.
func PrintSDL(s graphql.Schema) string {
	names := make([]string, 0, len(s.TypeMap()))
	for name := range s.TypeMap() {
		if strings.HasPrefix(name, "__") || builtinScalar(name) {
			continue
		}
		names = append(names, name)
	}
	sort.Strings(names)
	var b strings.Builder
	for i, name := range names {
		if i > 0 {
			b.WriteByte('\n')
		}
		printType(&b, s.TypeMap()[name])
	}
	return b.String()
}

// builtinScalar reports whether name is one of GraphQL's scalars.
func builtinScalar(name string) bool {
	switch name {
	case "String", "Int", "Float", "Boolean", "ID":
		return true
	}
	return false
}

func printType(b *strings.Builder, t graphql.Type) {
	switch t := t.(type) {
	case *graphql.Object:
		printDescription(b, t.Description(), "", true)
		b.WriteString("type " + t.Name())
		if ifs := t.Interfaces(); len(ifs) > 0 {
			names := make([]string, len(ifs))
			for i, it := range ifs {
				names[i] = it.Name()
			}
			b.WriteString(" implements " + strings.Join(names, " & "))
		}
		printFields(b, t.Fields())
	case *graphql.Interface:
		printDescription(b, t.Description(), "", true)
		b.WriteString("interface " + t.Name())
		printFields(b, t.Fields())
	case *graphql.Enum:
		printDescription(b, t.Description(), "", true)
		b.WriteString("enum " + t.Name() + " {\n")
		vals := append([]*graphql.EnumValueDefinition{}, t.Values()...)
		sort.Slice(vals, func(i, j int) bool { return vals[i].Name < vals[j].Name })
		for i, v := range vals {
			printDescription(b, v.Description, "  ", i == 0)
			b.WriteString("  " + v.Name + deprecated(v.DeprecationReason) + "\n")
		}
		b.WriteString("}\n")
	case *graphql.Scalar:
		printDescription(b, t.Description(), "", true)
		b.WriteString("scalar " + t.Name() + "\n")
	case *graphql.Union:
		printDescription(b, t.Description(), "", true)
		names := []string{}
		for _, o := range t.Types() {
			names = append(names, o.Name())
		}
		b.WriteString("union " + t.Name() + " = " + strings.Join(names, " | ") + "\n")
	case *graphql.InputObject:
		printDescription(b, t.Description(), "", true)
		b.WriteString("input " + t.Name() + " {\n")
		fields := t.Fields()
		keys := make([]string, 0, len(fields))
		for k := range fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for i, k := range keys {
			f := fields[k]
			printDescription(b, f.Description(), "  ", i == 0)
			b.WriteString("  " + k + ": " + f.Type.String() + defaultValue(f.DefaultValue) + "\n")
		}
		b.WriteString("}\n")
	}
}

func printFields(b *strings.Builder, fields graphql.FieldDefinitionMap) {
	b.WriteString(" {\n")
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	sort.Strings(names)
	for i, name := range names {
		f := fields[name]
		printDescription(b, f.Description, "  ", i == 0)
		b.WriteString("  " + name)
		printArgs(b, f.Args)
		b.WriteString(": " + f.Type.String() + deprecated(f.DeprecationReason) + "\n")
	}
	b.WriteString("}\n")
}

func printArgs(b *strings.Builder, args []*graphql.Argument) {
	if len(args) == 0 {
		return
	}
	args = append([]*graphql.Argument{}, args...)
	sort.Slice(args, func(i, j int) bool { return args[i].Name() < args[j].Name() })
	described := false
	for _, a := range args {
		if a.Description() != "" {
			described = true
		}
	}
	if !described {
		parts := make([]string, len(args))
		for i, a := range args {
			parts[i] = a.Name() + ": " + a.Type.String() + defaultValue(a.DefaultValue)
		}
		b.WriteString("(" + strings.Join(parts, ", ") + ")")
		return
	}
	b.WriteString("(\n")
	for i, a := range args {
		printDescription(b, a.Description(), "    ", i == 0)
		b.WriteString("    " + a.Name() + ": " + a.Type.String() + defaultValue(a.DefaultValue) + "\n")
	}
	b.WriteString("  )")
}

// printDescription writes a description as a block string, on one line when
// short (long lines are not wrapped: that would change the value), with a
// blank line before it unless it opens its block.
func printDescription(b *strings.Builder, desc, indent string, first bool) {
	if desc == "" {
		return
	}
	if !first && indent != "" {
		b.WriteByte('\n')
	}
	esc := strings.ReplaceAll(desc, `"""`, `\"""`)
	if len(indent)+len(esc)+6 <= 100 && !strings.ContainsAny(esc, "\n") && !strings.HasSuffix(esc, `"`) {
		b.WriteString(indent + `"""` + esc + `"""` + "\n")
		return
	}
	b.WriteString(indent + `"""` + "\n")
	for _, line := range strings.Split(esc, "\n") {
		b.WriteString(indent + line + "\n")
	}
	b.WriteString(indent + `"""` + "\n")
}

// defaultValue prints " = value" for an argument's default.
func defaultValue(v interface{}) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return " = " + strconv.Quote(v)
	case int:
		return " = " + strconv.Itoa(v)
	case bool:
		return " = " + strconv.FormatBool(v)
	case float64:
		return " = " + strconv.FormatFloat(v, 'g', -1, 64)
	}
	return fmt.Sprintf(" = %v", v)
}

// deprecated prints a @deprecated directive.
func deprecated(reason string) string {
	if reason == "" {
		return ""
	}
	return " @deprecated(reason: " + strconv.Quote(reason) + ")"
}
