package rule

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// QueryCheck decides whether a rule's query can be run, returning an error
// that says why not. It is called for EQL rules without validation errors.
type QueryCheck func(r *Rule) error

// QueryError is a query check failure located in the query text. A
// QueryCheck may return one (or wrap one) so that the loader can report the
// line of the rule file the error is on.
type QueryError struct {
	// Line and Column are 1-based within the query text; 0 when unknown.
	Line, Column int
	// Msg is the whole message, positions included.
	Msg string
	// Err is the underlying error, such as a parser.ErrorList.
	Err error
}

func (e *QueryError) Error() string { return e.Msg }

// Unwrap returns the underlying error.
func (e *QueryError) Unwrap() error { return e.Err }

// DefaultQueryCheck is used when Options.CheckQuery is nil. It parses the
// query with eql/parser (see check_default.go); until the EQL compiler lands
// it does not type-check fields or functions. When nil, queries are not
// checked and every valid EQL rule counts as runnable.
var DefaultQueryCheck QueryCheck

// Options controls loading.
type Options struct {
	// CheckQuery checks EQL queries (nil: DefaultQueryCheck).
	CheckQuery QueryCheck
}

func (o Options) check() QueryCheck {
	if o.CheckQuery != nil {
		return o.CheckQuery
	}
	return DefaultQueryCheck
}

// Set is the result of loading rules from files.
type Set struct {
	// Rules are all rules read, in file order, including rejected,
	// deprecated and not-yet-runnable ones.
	Rules []*Rule
	// Problems are all findings, file-level ones included, in load order.
	Problems []Problem
	// Files is the number of files read.
	Files int
	// Failed counts files, and lines of exports, that yielded no rule.
	Failed int
	// Skipped counts export lines that are not rules: exception lists and
	// items, action connectors and the export summary.
	Skipped int

	byID map[string]*Rule
}

// Load reads rules from the given files and directories. Directories are
// walked recursively for *.toml files; files named explicitly may be TOML or
// Kibana NDJSON exports (by extension .ndjson/.json/.jsonl, otherwise by
// content). Broken files and rules are reported in Set.Problems and counted;
// the error is only for paths that cannot be read at all.
func Load(opts Options, paths ...string) (*Set, error) {
	s := &Set{}
	var errs []error
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			errs = append(errs, fmt.Errorf("rules path %s: %w", p, err))
			continue
		}
		if !fi.IsDir() {
			s.addFile(p, opts)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				s.fileProblem(path, 0, "cannot read: %v", err)
				s.Failed++
				return nil
			}
			if !d.IsDir() && strings.EqualFold(filepath.Ext(path), ".toml") {
				s.addFile(path, opts)
			}
			return nil
		})
		if err != nil {
			errs = append(errs, err)
		}
	}
	return s, errors.Join(errs...)
}

func (s *Set) fileProblem(file string, line int, format string, args ...any) {
	s.Problems = append(s.Problems, Problem{File: file, Line: line, Message: fmt.Sprintf(format, args...), Severity: LevelError})
}

func (s *Set) addFile(path string, opts Options) {
	s.Files++
	data, err := os.ReadFile(path)
	if err != nil {
		s.fileProblem(path, 0, "cannot read: %v", err)
		s.Failed++
		return
	}
	if isNDJSON(path, data) {
		rules, problems, st := LoadNDJSON(bytes.NewReader(data), path, opts)
		s.Problems = append(s.Problems, problems...)
		s.Failed += st.Invalid
		s.Skipped += st.Skipped()
		for _, r := range rules {
			s.add(r)
		}
		return
	}
	r, problems := LoadTOML(data, path, opts)
	s.Problems = append(s.Problems, problems...)
	if r == nil {
		s.Failed++
		return
	}
	s.add(r)
}

// add appends r, rejecting a second rule with the same rule_id.
func (s *Set) add(r *Rule) {
	if s.byID == nil {
		s.byID = map[string]*Rule{}
	}
	if prev, dup := s.byID[r.RuleID]; dup && r.RuleID != "" {
		field := param("rule_id")
		if r.Source.Format == "ndjson" {
			field = "rule_id"
		}
		p := Problem{File: r.Source.File, Line: r.Source.LineOf(param("rule_id")), RuleID: r.RuleID, Field: field,
			Message: fmt.Sprintf("duplicate rule_id, also used by %q in %s:%d; give each rule its own id or load only one copy",
				prev.Name, prev.Source.File, prev.Source.Line),
			Severity: LevelError}
		r.Problems = append(r.Problems, p)
		s.Problems = append(s.Problems, p)
		r.Status, r.Runnable, r.Reason = StatusRejected, false, "duplicate rule_id"
	} else {
		s.byID[r.RuleID] = r
	}
	s.Rules = append(s.Rules, r)
}

// ByID returns the rule with the given rule_id, or nil.
func (s *Set) ByID(ruleID string) *Rule { return s.byID[ruleID] }

func isNDJSON(path string, data []byte) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".ndjson", ".json", ".jsonl":
		return true
	case ".toml":
		return false
	}
	t := bytes.TrimLeft(bytes.TrimPrefix(data, bom), " \t\r\n")
	return len(t) > 0 && t[0] == '{'
}

var bom = []byte("\xef\xbb\xbf")

// LoadTOML reads one detection-rules TOML file. It returns nil when the file
// is not TOML or has no [rule] table; otherwise the rule, validated and
// classified (see Rule.Status), and its problems (also in Rule.Problems).
func LoadTOML(data []byte, file string, opts Options) (*Rule, []Problem) {
	data = bytes.TrimPrefix(data, bom)
	var doc map[string]any
	if err := toml.Unmarshal(data, &doc); err != nil {
		p := Problem{File: file, Message: "not valid TOML: " + err.Error() + "; fix the syntax", Severity: LevelError}
		var de *toml.DecodeError
		if errors.As(err, &de) {
			p.Line, _ = de.Position()
		}
		return nil, []Problem{p}
	}
	keys, queryLine := tomlKeyLines(data)
	r := &Rule{Source: Source{File: file, Format: "toml", Line: 1, Keys: keys, QueryLine: queryLine}}
	ruleTable, ok := doc["rule"].(map[string]any)
	if !ok {
		msg := "missing [rule] table; a rule file needs [metadata] and [rule]"
		if _, present := doc["rule"]; present {
			msg = "rule must be a table ([rule]), not a value"
		}
		return nil, []Problem{{File: file, Line: r.Source.LineOf("rule"), Field: "rule", Message: msg, Severity: LevelError}}
	}
	if id, ok := ruleTable["rule_id"].(string); ok {
		r.RuleID = id // for the problems below, before full decoding
	}
	maturity, _ := lookup(doc, "metadata", "maturity").(string)
	r.Deprecated = maturity == "deprecated" || inDeprecatedDir(file)

	d := &decoder{tag: "toml"}
	for _, k := range sortedKeys(doc) {
		switch k {
		case "metadata":
			d.decode("metadata", doc[k], reflect.ValueOf(&r.Metadata).Elem())
		case "rule":
			d.decode("rule", doc[k], reflect.ValueOf(&r.Params).Elem())
		case "transform":
			d.decode("transform", doc[k], reflect.ValueOf(&r.Transform).Elem())
		default:
			d.issues = append(d.issues, fieldIssue{path: k, unknown: true,
				msg: "unknown top-level table; a rule file has only [metadata], [rule] and [transform]"})
		}
	}
	if nt := r.NewTerms; nt != nil {
		r.NewTermsFields = nt.Value
		if len(nt.HistoryWindowStart) > 0 {
			r.HistoryWindowStart = nt.HistoryWindowStart[0].Value
		}
	}
	r.UUID = DerivedUUID(r.RuleID)
	finish(r, d.issues, false, opts)
	return r, r.Problems
}

func inDeprecatedDir(file string) bool {
	for _, part := range strings.Split(filepath.ToSlash(filepath.Dir(file)), "/") {
		if part == "_deprecated" {
			return true
		}
	}
	return false
}

func lookup(m map[string]any, keys ...string) any {
	var v any = m
	for _, k := range keys {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = mm[k]
	}
	return v
}

// finish turns decoding issues into problems, validates the rule and sets
// its status. Deprecated rules are data only, as upstream loads them: their
// decoding issues become warnings and the schema is not checked.
func finish(r *Rule, issues []fieldIssue, kibana bool, opts Options) {
	bad := map[string]bool{}
	for _, is := range issues {
		if !is.unknown {
			bad[is.path] = true
		}
		level := LevelError
		if is.unknown || r.Deprecated {
			level = LevelWarning
		}
		if is.unknown && r.Deprecated {
			continue
		}
		field := is.path
		if kibana {
			field = strings.TrimPrefix(field, "rule.")
		}
		r.Problems = append(r.Problems, Problem{File: r.Source.File, Line: r.Source.LineOf(is.path), RuleID: r.RuleID,
			Field: field, Message: is.msg, Severity: level})
	}
	if !r.Deprecated {
		r.Problems = append(r.Problems, validate(r, kibana, bad)...)
	}
	for _, p := range r.Problems {
		if p.Severity == LevelError {
			r.Status, r.Reason = StatusRejected, p.Field+": "+p.Message
			return
		}
	}
	if r.Type != "eql" {
		r.Status, r.Reason = StatusNotRunnable, fmt.Sprintf("%s rules are not yet runnable by eqld", typeName(r.Type))
		return
	}
	if check := opts.check(); check != nil {
		if err := safeCheck(check, r); err != nil {
			p := Problem{File: r.Source.File, Line: r.Source.LineOf(param("query")), RuleID: r.RuleID, Field: "query",
				Message: err.Error(), Severity: LevelError}
			var qe *QueryError
			if errors.As(err, &qe) && qe.Line > 0 && r.Source.QueryLine > 0 {
				p.Line = r.Source.QueryLine + qe.Line - 1
			}
			if !kibana {
				p.Field = param("query")
			}
			r.Problems = append(r.Problems, p)
			r.Status, r.Reason = StatusRejected, "query: "+err.Error()
			return
		}
	}
	r.Status, r.Runnable = StatusRunnable, true
}

func typeName(t string) string {
	if t == "" {
		return "untyped"
	}
	return t
}

// safeCheck runs a query checker, turning a panic in it into an error so that
// one bad query cannot stop a load.
func safeCheck(check QueryCheck, r *Rule) (err error) {
	defer func() {
		if x := recover(); x != nil {
			err = fmt.Errorf("internal error: the query checker panicked (%v); please report this query as an eqld bug", x)
		}
	}()
	return check(r)
}

// ExportStats counts the lines of a Kibana export by kind.
type ExportStats struct {
	Lines          int // non-empty lines
	Rules          int
	ExceptionLists int // exception list objects (skipped)
	ExceptionItems int // exception list items (skipped)
	Connectors     int // action connector saved objects (skipped)
	Summary        int // the trailing {"exported_count": …} line
	Invalid        int // lines that are not JSON objects or not recognised
	// ExportedRules is the exported_rules_count (or exported_count) of the
	// summary line, -1 when there is none.
	ExportedRules int
}

// Skipped is the number of recognised lines that are not rules.
func (st ExportStats) Skipped() int {
	return st.ExceptionLists + st.ExceptionItems + st.Connectors + st.Summary
}

// LoadNDJSON reads a Kibana rule export (POST /api/detection_engine/rules/_export):
// one JSON object per line. Rule lines become rules; exception lists and
// items, action connectors and the export summary are recognised and
// skipped; anything else is reported as an error with its line number and
// reading goes on.
func LoadNDJSON(in io.Reader, file string, opts Options) ([]*Rule, []Problem, ExportStats) {
	st := ExportStats{ExportedRules: -1}
	var rules []*Rule
	var problems []Problem
	problem := func(line int, level Level, format string, args ...any) {
		problems = append(problems, Problem{File: file, Line: line, Message: fmt.Sprintf(format, args...), Severity: level})
	}
	br := bufio.NewReader(in)
	for lineNo := 1; ; lineNo++ {
		raw, err := br.ReadBytes('\n')
		if lineNo == 1 {
			raw = bytes.TrimPrefix(raw, bom)
		}
		line := bytes.TrimSpace(raw)
		if len(line) > 0 {
			st.Lines++
			obj, derr := decodeJSONObject(line)
			switch {
			case derr != nil:
				st.Invalid++
				problem(lineNo, LevelError, "not a JSON object: %v; each line of a Kibana export must be one JSON object", derr)
			case isExportSummary(obj):
				st.Summary++
				if n, ok := toInt(firstOf(obj, "exported_rules_count", "exported_count")); ok {
					st.ExportedRules = int(n)
				}
				if missing, ok := obj["missing_rules"].([]any); ok && len(missing) > 0 {
					problem(lineNo, LevelWarning, "the export summary lists %d missing rule(s) that Kibana could not export: %s",
						len(missing), compactJSON(missing))
				}
			case obj["rule_id"] != nil:
				st.Rules++
				rules = append(rules, kibanaRule(obj, file, lineNo, opts))
			case obj["list_id"] != nil && (obj["item_id"] != nil || obj["entries"] != nil):
				st.ExceptionItems++
			case obj["list_id"] != nil:
				st.ExceptionLists++
			case obj["type"] == "action" || obj["attributes"] != nil:
				st.Connectors++
			default:
				st.Invalid++
				problem(lineNo, LevelError, "unrecognised object (keys %s): expected a rule with rule_id, an exception list, or the export summary",
					strings.Join(firstKeys(obj, 6), ", "))
			}
		}
		if err != nil {
			if err != io.EOF {
				st.Invalid++
				problem(lineNo, LevelError, "read error: %v", err)
			}
			break
		}
	}
	if n := st.ExceptionLists + st.ExceptionItems; n > 0 {
		problem(0, LevelWarning, "skipped %d exception list(s) and %d exception item(s) in this rule export; load the same file as exceptions to apply them",
			st.ExceptionLists, st.ExceptionItems)
	}
	if st.Connectors > 0 {
		problem(0, LevelWarning, "skipped %d action connector(s); eqld does not run rule actions", st.Connectors)
	}
	if st.ExportedRules >= 0 && st.ExportedRules != st.Rules {
		problem(0, LevelWarning, "the export summary counts %d rule(s) but %d rule line(s) were read; the file may be truncated",
			st.ExportedRules, st.Rules)
	}
	for _, r := range rules {
		problems = append(problems, r.Problems...)
	}
	// File order: problems of line n before those of line n+1, and the
	// whole-file remarks (line 0) last.
	sort.SliceStable(problems, func(i, j int) bool {
		li, lj := problems[i].Line, problems[j].Line
		if li == 0 || lj == 0 {
			return li != 0 && lj == 0
		}
		return li < lj
	})
	return rules, problems, st
}

// decodeJSONObject decodes one line, keeping numbers exact.
func decodeJSONObject(line []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("extra data after the object")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("found %s", describe(v))
	}
	return obj, nil
}

func isExportSummary(obj map[string]any) bool {
	if obj["rule_id"] != nil || obj["list_id"] != nil {
		return false
	}
	for k := range obj {
		if strings.HasPrefix(k, "exported_") {
			return true
		}
	}
	return false
}

func firstOf(m map[string]any, keys ...string) any {
	for _, k := range keys {
		if v, ok := m[k]; ok {
			return v
		}
	}
	return nil
}

func firstKeys(m map[string]any, n int) []string {
	keys := sortedKeys(m)
	if len(keys) > n {
		keys = append(keys[:n], "…")
	}
	return keys
}

func compactJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return truncate(string(b), 200)
}

// kibanaRule builds a rule from one object of a Kibana export.
func kibanaRule(obj map[string]any, file string, line int, opts Options) *Rule {
	r := &Rule{Source: Source{File: file, Format: "ndjson", Line: line, Keys: map[string]int{"rule": line}}}
	jsonKeyLines("rule", obj, line, r.Source.Keys)
	if id, ok := obj["rule_id"].(string); ok {
		r.RuleID = id
	}
	d := &decoder{tag: "json"}
	d.decode("rule", obj, reflect.ValueOf(&r.Params).Elem())
	r.UUID = r.ID
	if r.UUID == "" {
		// A hand-written export without saved-object ids: use the same
		// derivation as for TOML rules.
		r.UUID = DerivedUUID(r.RuleID)
	}
	finish(r, d.issues, true, opts)
	return r
}

// jsonKeyLines records every key path of v with the object's line (NDJSON
// puts a whole rule on one line).
func jsonKeyLines(path string, v any, line int, keys map[string]int) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if e == nil {
				continue // null is absent, as in Kibana's schema
			}
			p := path + "." + k
			keys[p] = line
			jsonKeyLines(p, e, line, keys)
		}
	case []any:
		for i, e := range x {
			p := path + "[" + strconv.Itoa(i) + "]"
			keys[p] = line
			jsonKeyLines(p, e, line, keys)
		}
	}
}
