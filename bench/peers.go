package bench

import (
	"embed"
	"fmt"
	"strings"
)

//go:embed peers/sqlite.sql peers/postgres.sql
var peerFiles embed.FS

// SQL is a peer's schema and queries, read from peers/NAME.sql: sections
// that start with a line "-- @NAME" ("-- @query NAME" for a query). A
// section's statements end with a ';' at the end of a line; comments
// ("--" to the end of a line) are dropped.
type SQL struct {
	// Sections by name (pragmas, settings, tables, indexes): statements,
	// or for settings the "name = value" lines.
	Sections map[string][]string
	// Queries by name: one statement each, without the final ';'.
	Queries map[string]string
}

// Peer returns the parsed peers/NAME.sql ("sqlite", "postgres").
func Peer(name string) (*SQL, error) {
	data, err := peerFiles.ReadFile("peers/" + name + ".sql")
	if err != nil {
		return nil, fmt.Errorf("bench: peer %q: %w", name, err)
	}
	return ParseSQL(string(data))
}

// ParseSQL splits a peer file into sections and queries.
func ParseSQL(src string) (*SQL, error) {
	out := &SQL{Sections: map[string][]string{}, Queries: map[string]string{}}
	section, query := "", ""
	var stmt strings.Builder
	flush := func(line int) error {
		s := strings.TrimSpace(stmt.String())
		stmt.Reset()
		if s == "" {
			return nil
		}
		switch {
		case query != "":
			if _, dup := out.Queries[query]; dup {
				return fmt.Errorf("bench: line %d: query %q has more than one statement", line, query)
			}
			out.Queries[query] = strings.TrimSuffix(s, ";")
		case section != "":
			out.Sections[section] = append(out.Sections[section], strings.TrimSuffix(s, ";"))
		default:
			return fmt.Errorf("bench: line %d: statement outside a section", line)
		}
		return nil
	}
	for i, line := range strings.Split(src, "\n") {
		trimmed := strings.TrimSpace(line)
		if name, ok := strings.CutPrefix(trimmed, "-- @"); ok {
			if err := flush(i + 1); err != nil {
				return nil, err
			}
			if q, ok := strings.CutPrefix(name, "query "); ok {
				section, query = "", strings.TrimSpace(q)
				if _, dup := out.Queries[query]; dup {
					return nil, fmt.Errorf("bench: line %d: query %q defined twice", i+1, query)
				}
			} else {
				section, query = strings.TrimSpace(name), ""
			}
			continue
		}
		if c := strings.Index(line, "--"); c >= 0 && !inString(line[:c]) {
			line = line[:c]
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		if section == "settings" {
			out.Sections[section] = append(out.Sections[section], strings.TrimSpace(line))
			continue
		}
		stmt.WriteString(strings.TrimRight(line, " \t"))
		stmt.WriteString("\n")
		if strings.HasSuffix(strings.TrimSpace(line), ";") {
			if err := flush(i + 1); err != nil {
				return nil, err
			}
		}
	}
	if err := flush(-1); err != nil {
		return nil, err
	}
	return out, nil
}

// inString reports whether s ends inside a single-quoted SQL string.
func inString(s string) bool { return strings.Count(s, "'")%2 == 1 }
