package exception

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/eqld/eqld/rule"
)

var bom = []byte("\xef\xbb\xbf")

// readLines calls fn for every non-blank line of r with its 1-based number.
// Lines may be arbitrarily long (a list item can carry thousands of values).
func readLines(r io.Reader, fn func(n int, line []byte)) error {
	br := bufio.NewReader(r)
	for n := 1; ; n++ {
		raw, err := br.ReadBytes('\n')
		if n == 1 {
			raw = bytes.TrimPrefix(raw, bom)
		}
		if line := bytes.TrimRight(raw, "\r\n"); len(bytes.TrimSpace(line)) > 0 {
			fn(n, line)
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func decodeObject(line []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("extra data after the object")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("found %s, not an object", kindOf(v))
	}
	return m, nil
}

func kindOf(v any) string {
	switch v.(type) {
	case []any:
		return "a list"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

func (s *Set) problem(p Problem) { s.Problems = append(s.Problems, p) }

// LoadExceptionsFile reads an exception list export file (see
// ReadExceptions). The error is only for a file that cannot be read.
func (s *Set) LoadExceptionsFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("exceptions file: %w", err)
	}
	defer f.Close()
	return s.ReadExceptions(f, path)
}

// ReadExceptions reads Kibana's exception list export: NDJSON with list
// objects, item objects and a trailing export summary. Rule objects and
// action connectors (present when the file is a rule export) are skipped.
// Malformed lines and items are reported with file:line and skipped;
// reading continues. The error is only for a failing reader.
func (s *Set) ReadExceptions(r io.Reader, file string) error {
	return readLines(r, func(n int, line []byte) {
		obj, err := decodeObject(line)
		if err != nil {
			s.Stats.Invalid++
			s.problem(Problem{File: file, Line: n, Severity: rule.LevelError,
				Message: fmt.Sprintf("not a JSON object (%v); each line of an exception list export must be one JSON object", err)})
			return
		}
		src := Source{File: file, Line: n}
		switch {
		case obj["rule_id"] != nil || obj["type"] == "action" || obj["attributes"] != nil:
			s.Stats.Skipped++ // a rule or a connector of a rule export
		case isSummary(obj):
			s.Stats.Skipped++
			s.summary(obj, src)
		case obj["list_id"] != nil && obj["value"] != nil && obj["entries"] == nil:
			s.Stats.Invalid++
			s.problem(Problem{File: file, Line: n, Severity: rule.LevelError,
				Message: "this is a value list item, not an exception; load the file as a value list"})
		case obj["entries"] != nil || obj["item_id"] != nil:
			s.readItem(obj, src)
		case obj["list_id"] != nil:
			s.readList(obj, src)
		default:
			s.Stats.Invalid++
			keys := make([]string, 0, len(obj))
			for k := range obj {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			if len(keys) > 6 {
				keys = append(keys[:6], "…")
			}
			s.problem(Problem{File: file, Line: n, Severity: rule.LevelError,
				Message: fmt.Sprintf("unrecognised object (keys %s): expected an exception list (list_id, type), an item (item_id, entries) or the export summary", strings.Join(keys, ", "))})
		}
	})
}

func isSummary(obj map[string]any) bool {
	if obj["list_id"] != nil {
		return false
	}
	for k := range obj {
		if strings.HasPrefix(k, "exported_") {
			return true
		}
	}
	return false
}

func (s *Set) summary(obj map[string]any, src Source) {
	for _, k := range []string{"missing_exception_lists", "missing_exception_list_items"} {
		if missing, ok := obj[k].([]any); ok && len(missing) > 0 {
			b, _ := json.Marshal(missing)
			s.problem(Problem{File: src.File, Line: src.Line, Severity: rule.LevelWarning,
				Message: fmt.Sprintf("the export summary lists %d %s that Kibana could not export: %s", len(missing), strings.ReplaceAll(k, "_", " "), truncate(string(b), 200))})
		}
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// fields reads typed values out of a decoded object, collecting errors.
type fields struct {
	obj  map[string]any
	errs []string
}

func (f *fields) str(key string) string {
	v, ok := f.obj[key]
	if !ok || v == nil {
		return ""
	}
	s, ok := v.(string)
	if !ok {
		f.errs = append(f.errs, fmt.Sprintf("%s must be a string", key))
	}
	return s
}

func (f *fields) strs(key string) []string {
	return strList(f.obj[key], key, &f.errs)
}

func strList(v any, key string, errs *[]string) []string {
	if v == nil {
		return nil
	}
	list, ok := v.([]any)
	if !ok {
		*errs = append(*errs, fmt.Sprintf("%s must be a list of strings", key))
		return nil
	}
	out := make([]string, 0, len(list))
	for i, e := range list {
		s, ok := e.(string)
		if !ok {
			*errs = append(*errs, fmt.Sprintf("%s[%d] must be a string", key, i))
			continue
		}
		out = append(out, s)
	}
	return out
}

func namespaceOf(ns string) (string, bool) {
	switch ns {
	case "":
		return "single", true // Kibana's default
	case "single", "agnostic":
		return ns, true
	}
	return ns, false
}

func (s *Set) readList(obj map[string]any, src Source) {
	f := &fields{obj: obj}
	l := List{
		ID: f.str("id"), ListID: f.str("list_id"), Type: f.str("type"), Name: f.str("name"),
		Description: f.str("description"), OSTypes: f.strs("os_types"), Tags: f.strs("tags"),
	}
	ns, ok := namespaceOf(f.str("namespace_type"))
	if !ok {
		f.errs = append(f.errs, fmt.Sprintf("namespace_type %q must be \"single\" or \"agnostic\"", ns))
	}
	if l.ListID == "" {
		f.errs = append(f.errs, "list_id is required")
	}
	if len(f.errs) > 0 {
		s.Stats.Invalid++
		s.problem(Problem{File: src.File, Line: src.Line, ListID: l.ListID, Severity: rule.LevelError,
			Message: "exception list not loaded: " + strings.Join(f.errs, "; ")})
		return
	}
	s.Stats.Lists++
	key := ListKey{l.ListID, ns}
	existing := s.Lists[key]
	if existing != nil && existing.Declared {
		s.problem(Problem{File: src.File, Line: src.Line, ListID: l.ListID, Severity: rule.LevelWarning,
			Message: fmt.Sprintf("list declared again (first at %s:%d); its items are merged", existing.Source.File, existing.Source.Line)})
		return
	}
	dst := s.list(key)
	items := dst.Items
	*dst = l
	dst.NamespaceType, dst.Items, dst.Declared, dst.Source = ns, items, true, src
	if dst.Type == "" {
		dst.Type = "detection"
	}
}

var osTypes = map[string]bool{"linux": true, "macos": true, "windows": true}

func (s *Set) readItem(obj map[string]any, src Source) {
	f := &fields{obj: obj}
	it := &Item{
		ID: f.str("id"), ItemID: f.str("item_id"), ListID: f.str("list_id"), Type: f.str("type"),
		Name: f.str("name"), Description: f.str("description"), OSTypes: f.strs("os_types"),
		Tags: f.strs("tags"), Source: src,
	}
	bad := func(format string, args ...any) { f.errs = append(f.errs, fmt.Sprintf(format, args...)) }
	ns, ok := namespaceOf(f.str("namespace_type"))
	if !ok {
		bad("namespace_type %q must be \"single\" or \"agnostic\"", ns)
	}
	it.NamespaceType = ns
	if it.ListID == "" {
		bad("list_id is required to know which list the item belongs to")
	}
	if it.ItemID == "" {
		it.ItemID = it.ID
	}
	for _, o := range it.OSTypes {
		if !osTypes[o] {
			bad("os_types value %q must be linux, macos or windows", o)
		}
	}
	if v, ok := obj["expire_time"]; ok && v != nil {
		str, _ := v.(string)
		t, err := time.Parse(time.RFC3339Nano, str)
		if err != nil {
			bad("expire_time %v is not an ISO-8601 time like 2024-12-31T23:59:59Z", v)
		} else {
			it.ExpireTime = &t
		}
	}
	if cs, ok := obj["comments"].([]any); ok {
		for _, c := range cs {
			if m, ok := c.(map[string]any); ok {
				if txt, ok := m["comment"].(string); ok {
					it.Comments = append(it.Comments, txt)
				}
			}
		}
	}
	rawEntries, ok := obj["entries"].([]any)
	switch {
	case obj["entries"] == nil:
		bad("entries are required")
	case !ok:
		bad("entries must be a list")
	case len(rawEntries) == 0:
		bad("entries must not be empty (an item without entries would exclude every event)")
	}
	for i, re := range rawEntries {
		e, errs := parseEntry(re, fmt.Sprintf("entries[%d]", i), false)
		f.errs = append(f.errs, errs...)
		it.Entries = append(it.Entries, e)
	}
	if len(f.errs) > 0 {
		s.Stats.BadItems++
		s.problem(Problem{File: src.File, Line: src.Line, ListID: it.ListID, ItemID: it.ItemID, Severity: rule.LevelError,
			Message: "item not loaded: " + strings.Join(f.errs, "; ")})
		return
	}
	if it.Type != "simple" && it.Type != "" {
		s.problem(Problem{File: src.File, Line: src.Line, ListID: it.ListID, ItemID: it.ItemID, Severity: rule.LevelWarning,
			Message: fmt.Sprintf("item type %q is not \"simple\"; applied as a simple item", it.Type)})
	}
	if it.ItemID == "" {
		it.ItemID = fmt.Sprintf("line-%d", src.Line)
		s.problem(Problem{File: src.File, Line: src.Line, ListID: it.ListID, Severity: rule.LevelWarning,
			Message: "item without item_id or id; named " + it.ItemID + " in messages"})
	}
	l := s.list(ListKey{it.ListID, ns})
	for _, prev := range l.Items {
		if prev.ItemID == it.ItemID {
			s.Stats.BadItems++
			s.problem(Problem{File: src.File, Line: src.Line, ListID: it.ListID, ItemID: it.ItemID, Severity: rule.LevelError,
				Message: fmt.Sprintf("duplicate item_id (first at %s:%d); this copy is skipped", prev.Source.File, prev.Source.Line)})
			return
		}
	}
	s.Stats.Items++
	l.Items = append(l.Items, it)
}

// parseEntry reads one entry; path names it in messages ("entries[1]").
// Inside nested entries only match, match_any and exists are allowed, as in
// Kibana's schema.
func parseEntry(v any, path string, inNested bool) (Entry, []string) {
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, path+": "+fmt.Sprintf(format, args...)) }
	m, ok := v.(map[string]any)
	if !ok {
		bad("must be an object with field, type and operator")
		return Entry{}, errs
	}
	f := &fields{obj: m}
	e := Entry{Field: f.str("field"), Type: f.str("type"), Operator: f.str("operator")}
	for _, msg := range f.errs {
		bad("%s", msg)
	}
	if strings.TrimSpace(e.Field) == "" {
		bad("field is required")
	}
	if e.Type != EntryNested {
		switch e.Operator {
		case Included, Excluded:
		case "":
			bad("operator is required (\"included\" or \"excluded\")")
		default:
			bad("operator %q must be \"included\" or \"excluded\"", e.Operator)
		}
	}
	if inNested && e.Type != EntryMatch && e.Type != EntryMatchAny && e.Type != EntryExists {
		bad("type %q is not allowed inside a nested entry; use match, match_any or exists", e.Type)
		return e, errs
	}
	switch e.Type {
	case EntryMatch, EntryWildcard:
		s, ok := m["value"].(string)
		if !ok || s == "" {
			bad("%s needs a non-empty string value", e.Type)
		}
		e.Value = s
	case EntryMatchAny:
		var lerrs []string
		e.Values = strList(m["value"], "value", &lerrs)
		for _, msg := range lerrs {
			bad("%s", msg)
		}
		if len(e.Values) == 0 && len(lerrs) == 0 {
			bad("match_any needs a non-empty list of values")
		}
		for i, s := range e.Values {
			if s == "" {
				bad("value[%d] is empty", i)
			}
		}
	case EntryExists:
	case EntryList:
		lm, ok := m["list"].(map[string]any)
		if !ok {
			bad("list entries need list: {id, type}")
			break
		}
		lf := &fields{obj: lm}
		e.List = &ListRef{ID: lf.str("id"), Type: lf.str("type")}
		if e.List.ID == "" {
			bad("list.id is required")
		}
		if e.List.Type != "" && !valueListTypes[e.List.Type] {
			bad("list.type %q is not a value list type exceptions can use (keyword, ip, ip_range, text, …)", e.List.Type)
		}
	case EntryNested:
		subs, ok := m["entries"].([]any)
		if !ok || len(subs) == 0 {
			bad("nested entries need a non-empty entries list")
			break
		}
		for i, sub := range subs {
			se, serrs := parseEntry(sub, fmt.Sprintf("%s.entries[%d]", path, i), true)
			errs = append(errs, serrs...)
			e.Entries = append(e.Entries, se)
		}
	case "":
		bad("type is required (match, match_any, exists, wildcard, list or nested)")
	default:
		bad("type %q is unknown; use match, match_any, exists, wildcard, list or nested", e.Type)
	}
	return e, errs
}

// LoadValueListFile reads a value list file (see ReadValueList).
func (s *Set) LoadValueListFile(path, id, typ string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("value list file: %w", err)
	}
	defer f.Close()
	return s.ReadValueList(f, path, id, typ)
}

// ReadValueList reads a value list. Two formats are accepted:
//
//   - Kibana's export of /api/lists/items/_export: plain text, one value per
//     line. The file does not name its list, so id is required; typ may
//     be empty, in which case the type the referencing entry states is used.
//   - NDJSON of list items ({"list_id", "value", "type", …}) and optionally
//     list objects ({"id", "type", "name", …}). Each list_id becomes a value
//     list; id and typ, when given, override what the file says.
//
// A list read twice gets the values of both reads. Malformed lines are
// reported with file:line and skipped. The error is only for a failing
// reader.
func (s *Set) ReadValueList(r io.Reader, file, id, typ string) error {
	s.mu.Lock()
	s.cache = nil // values may be added to lists already converted
	s.mu.Unlock()
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(data, bom), " \t\r\n")
	if len(trimmed) > 0 && trimmed[0] == '{' {
		return s.readValueListNDJSON(bytes.NewReader(data), file, id, typ)
	}
	if id == "" {
		s.problem(Problem{File: file, Severity: rule.LevelError,
			Message: "a plain-text value list export does not name its list; give the value list id (and type) it was exported from"})
		s.Stats.Invalid++
		return nil
	}
	vl := s.valueList(id, typ, Source{File: file, Line: 1})
	return readLines(bytes.NewReader(data), func(_ int, line []byte) {
		// Kibana reads the upload as UTF-8, replacing invalid bytes;
		// EQL strings cannot hold them either.
		vl.Values = append(vl.Values, strings.ToValidUTF8(string(line), "\uFFFD"))
		s.Stats.Values++
	})
}

func (s *Set) valueList(id, typ string, src Source) *ValueList {
	vl := s.ValueLists[id]
	if vl == nil {
		vl = &ValueList{ID: id, Source: src}
		s.ValueLists[id] = vl
		s.Stats.ValueLists++
	}
	switch {
	case typ == "" || typ == vl.Type:
	case vl.Type != "":
		s.problem(Problem{File: src.File, Line: src.Line, ListID: id, Severity: rule.LevelWarning,
			Message: fmt.Sprintf("value list type %q conflicts with %q read earlier; keeping %q", typ, vl.Type, vl.Type)})
	default:
		vl.Type = typ
		if !valueListTypes[typ] {
			s.problem(Problem{File: src.File, Line: src.Line, ListID: id, Severity: rule.LevelWarning,
				Message: fmt.Sprintf("value list type %q cannot be used by exceptions; items using this list will not be applied", typ)})
		}
	}
	return vl
}

func (s *Set) readValueListNDJSON(r io.Reader, file, id, typ string) error {
	return readLines(r, func(n int, line []byte) {
		obj, err := decodeObject(line)
		if err != nil {
			s.Stats.Invalid++
			s.problem(Problem{File: file, Line: n, Severity: rule.LevelError,
				Message: fmt.Sprintf("not a JSON object (%v); value list NDJSON has one list item per line", err)})
			return
		}
		f := &fields{obj: obj}
		src := Source{File: file, Line: n}
		if obj["value"] == nil {
			// A list object from /api/lists: id, type, name.
			lid, ltyp := f.str("id"), f.str("type")
			if id != "" {
				lid = id
			}
			if typ != "" {
				ltyp = typ
			}
			if lid == "" || len(f.errs) > 0 {
				s.Stats.Invalid++
				s.problem(Problem{File: file, Line: n, Severity: rule.LevelError,
					Message: "neither a list item (list_id, value) nor a list (id, type)"})
				return
			}
			vl := s.valueList(lid, ltyp, src)
			vl.Name, vl.Description = f.str("name"), f.str("description")
			return
		}
		lid, ltyp := f.str("list_id"), f.str("type")
		value := f.str("value")
		if id != "" {
			lid = id
		}
		if typ != "" {
			ltyp = typ
		}
		if lid == "" || len(f.errs) > 0 {
			s.Stats.Invalid++
			s.problem(Problem{File: file, Line: n, Severity: rule.LevelError,
				Message: "list item needs a string list_id and value" + strings.Join(append([]string{""}, f.errs...), "; ")})
			return
		}
		vl := s.valueList(lid, ltyp, src)
		vl.Values = append(vl.Values, value)
		s.Stats.Values++
	})
}
