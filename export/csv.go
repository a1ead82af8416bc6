package export

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// writeCSV writes a table as RFC 4180 CSV in UTF-8: a header row of column
// names, then one row per record, fields separated by commas, rows ended by
// CRLF, a field quoted when it holds a comma, a double quote, CR or LF (or
// starts or ends with a space), a double quote doubled inside quotes.
// Line breaks inside a field are kept as they are. An empty field is a
// null; lists, maps and lists of objects are JSON (["a","b"],
// {"wikidata":"Q1"}), an empty list is empty; numbers are written as JSON
// writes them; booleans are true and false.
func writeCSV(ctx context.Context, wk *walker, spec tableSpec, w io.Writer) error {
	t := spec.meta()
	bw := bufio.NewWriterSize(w, 64<<10)
	cw := &csvWriter{w: bw}
	for i, c := range t.cols {
		cw.field(i, c.name)
	}
	cw.end()
	err := spec.eachRow(ctx, wk, func(row any) error {
		v := reflect.ValueOf(row).Elem()
		for i, c := range t.cols {
			s, err := cell(v.Field(c.index))
			if err != nil {
				return fmt.Errorf("%s.%s: %w", t.name, c.name, err)
			}
			cw.field(i, s)
		}
		cw.end()
		return nil
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}

// csvWriter writes RFC 4180 records.
type csvWriter struct {
	w *bufio.Writer
}

func (c *csvWriter) field(i int, s string) {
	if i > 0 {
		c.w.WriteByte(',')
	}
	if !needsQuotes(s) {
		c.w.WriteString(s)
		return
	}
	c.w.WriteByte('"')
	for {
		j := strings.IndexByte(s, '"')
		if j < 0 {
			break
		}
		c.w.WriteString(s[:j+1])
		c.w.WriteByte('"')
		s = s[j+1:]
	}
	c.w.WriteString(s)
	c.w.WriteByte('"')
}

func (c *csvWriter) end() { c.w.WriteString("\r\n") }

func needsQuotes(s string) bool {
	if s == "" {
		return false
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' || s[0] == '\t' {
		return true
	}
	return strings.ContainsAny(s, ",\"\r\n")
}

// cell renders one value as a CSV field.
func cell(v reflect.Value) (string, error) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return "", nil
		}
		return cell(v.Elem())
	case reflect.String:
		return v.String(), nil
	case reflect.Int64:
		return strconv.FormatInt(v.Int(), 10), nil
	case reflect.Float64:
		f := v.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return "", fmt.Errorf("number %v is not finite", f)
		}
		return formatFloat(f), nil
	case reflect.Bool:
		return strconv.FormatBool(v.Bool()), nil
	case reflect.Slice, reflect.Map:
		if v.Len() == 0 {
			return "", nil
		}
		b, err := marshalJSON(v.Interface())
		return string(b), err
	}
	return "", fmt.Errorf("unsupported value of type %v", v.Type())
}

// marshalJSON encodes v compactly without escaping HTML characters.
func marshalJSON(v any) ([]byte, error) {
	var sb strings.Builder
	enc := json.NewEncoder(&sb)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return []byte(strings.TrimSuffix(sb.String(), "\n")), nil
}

// formatFloat writes a number as encoding/json does: no exponent between
// 1e-6 and 1e21, the shortest representation that reads back the same.
func formatFloat(f float64) string {
	abs := math.Abs(f)
	fmtc := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		fmtc = 'e'
	}
	return strconv.FormatFloat(f, fmtc, -1, 64)
}
