package rule

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pelletier/go-toml/v2"
)

// This file turns a generic document (a TOML table or a JSON object, both
// decoded to map[string]any) into the typed structs of rule.go. Both formats
// go through the same code so that they report type mismatches and unknown
// keys in the same words, and so that one bad field does not lose the rest
// of the rule: every problem is collected with its key path and decoding
// carries on.

// fieldIssue is one problem found while decoding, located by key path.
type fieldIssue struct {
	path    string
	msg     string
	unknown bool // an unknown key rather than a bad value
}

// decoder maps documents onto structs using the struct tag named tag
// ("toml" or "json").
type decoder struct {
	tag    string
	issues []fieldIssue
}

func (d *decoder) errorf(path, format string, args ...any) {
	d.issues = append(d.issues, fieldIssue{path: path, msg: fmt.Sprintf(format, args...)})
}

// decode stores v, found at path, into dst.
func (d *decoder) decode(path string, v any, dst reflect.Value) {
	if v == nil {
		// JSON null: Kibana exports some unset fields as null. Leave the
		// zero value, as Kibana's schema does for optional fields.
		return
	}
	if dst.Type() == reflect.TypeFor[StringList]() {
		d.decodeStringList(path, v, dst)
		return
	}
	switch dst.Kind() {
	case reflect.Pointer:
		p := reflect.New(dst.Type().Elem())
		d.decode(path, v, p.Elem())
		dst.Set(p)
	case reflect.String:
		s, ok := v.(string)
		if !ok {
			d.errorf(path, "must be a string, found %s; quote the value", describe(v))
			return
		}
		dst.SetString(s)
	case reflect.Bool:
		b, ok := v.(bool)
		if !ok {
			d.errorf(path, "must be true or false, found %s", describe(v))
			return
		}
		dst.SetBool(b)
	case reflect.Int:
		n, ok := toInt(v)
		if !ok {
			d.errorf(path, "must be an integer, found %s", describe(v))
			return
		}
		dst.SetInt(n)
	case reflect.Slice:
		list, ok := v.([]any)
		if !ok {
			d.errorf(path, "must be a list, found %s; write it as [ ... ]", describe(v))
			return
		}
		s := reflect.MakeSlice(dst.Type(), len(list), len(list))
		for i, e := range list {
			d.decode(path+"["+strconv.Itoa(i)+"]", e, s.Index(i))
		}
		dst.Set(s)
	case reflect.Map:
		m, ok := v.(map[string]any)
		if !ok {
			d.errorf(path, "must be a table/object, found %s", describe(v))
			return
		}
		dst.Set(reflect.ValueOf(normalize(m)))
	case reflect.Interface:
		dst.Set(reflect.ValueOf(normalize(v)))
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			d.errorf(path, "must be a table/object, found %s", describe(v))
			return
		}
		d.decodeStruct(path, m, dst)
	default:
		// Only the kinds above occur in rule.go; reaching this is a bug in
		// this package, reported rather than panicking.
		d.errorf(path, "internal error: cannot decode into %s", dst.Type())
	}
}

func (d *decoder) decodeStringList(path string, v any, dst reflect.Value) {
	switch x := v.(type) {
	case string:
		dst.Set(reflect.ValueOf(StringList{x}))
	case []any:
		out := make(StringList, 0, len(x))
		for i, e := range x {
			s, ok := e.(string)
			if !ok {
				d.errorf(path+"["+strconv.Itoa(i)+"]", "must be a string, found %s", describe(e))
				continue
			}
			out = append(out, s)
		}
		dst.Set(reflect.ValueOf(out))
	default:
		d.errorf(path, "must be a string or a list of strings, found %s", describe(v))
	}
}

// decodeStruct decodes the keys of m into the fields of dst, reporting
// keys that have no field as unknown.
func (d *decoder) decodeStruct(path string, m map[string]any, dst reflect.Value) {
	fields := fieldsOf(dst.Type(), d.tag)
	for _, k := range sortedKeys(m) {
		p := joinPath(path, k)
		idx, ok := fields[k]
		if !ok {
			d.issues = append(d.issues, fieldIssue{path: p, unknown: true,
				msg: "unknown key; check its spelling against the rule schema or remove it"})
			continue
		}
		d.decode(p, m[k], dst.Field(idx))
	}
}

type fieldsKey struct {
	t   reflect.Type
	tag string
}

var fieldCache sync.Map // fieldsKey → map[string]int

// fieldsOf maps each tag name of t's fields to the field index.
func fieldsOf(t reflect.Type, tag string) map[string]int {
	key := fieldsKey{t, tag}
	if f, ok := fieldCache.Load(key); ok {
		return f.(map[string]int)
	}
	m := map[string]int{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get(tag), ",")
		if name == "" || name == "-" || !f.IsExported() {
			continue
		}
		m[name] = i
	}
	fieldCache.Store(key, m)
	return m
}

func joinPath(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// toInt accepts TOML integers, JSON numbers and integral floats (as
// marshmallow's non-strict Integer field does).
func toInt(v any) (int64, bool) {
	var f float64
	switch x := v.(type) {
	case int64:
		return x, true
	case int:
		return int64(x), true
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n, true
		}
		g, err := x.Float64()
		if err != nil {
			return 0, false
		}
		f = g
	case float64:
		f = x
	default:
		return 0, false
	}
	if f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, false
	}
	return int64(f), true
}

// describe names the kind of a decoded value for error messages.
func describe(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("string %q", truncate(x, 40))
	case bool:
		return fmt.Sprintf("boolean %v", x)
	case int64, int:
		return fmt.Sprintf("integer %v", x)
	case float64:
		return fmt.Sprintf("number %v", x)
	case json.Number:
		return "number " + x.String()
	case []any:
		return "a list"
	case map[string]any:
		return "a table/object"
	case toml.LocalDate, toml.LocalDateTime, toml.LocalTime, time.Time:
		return fmt.Sprintf("date/time %v", x)
	}
	return fmt.Sprintf("%T", v)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// normalize converts decoded values that JSON cannot represent as such
// (TOML dates and times, json.Number) into strings and float64/int64, so
// that free-form fields (filters, meta, …) marshal back to JSON cleanly.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalize(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalize(e)
		}
		return out
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n
		}
		if f, err := x.Float64(); err == nil {
			return f
		}
		return x.String()
	case toml.LocalDate:
		return x.String()
	case toml.LocalDateTime:
		return x.String()
	case toml.LocalTime:
		return x.String()
	case time.Time:
		return x.Format(time.RFC3339Nano)
	}
	return v
}
