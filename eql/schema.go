package eql

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// FieldType is the Elasticsearch mapping type of a field, reduced to the
// distinctions that change EQL semantics.
type FieldType uint8

// Field types. TypeUnknown means the field is dynamically typed: values are
// compared by their JSON kind.
const (
	TypeUnknown   FieldType = iota
	TypeKeyword             // keyword, wildcard, constant_keyword, text with a keyword sub-field
	TypeText                // text without a keyword sub-field
	TypeLong                // long, integer, short, byte, unsigned_long
	TypeDouble              // double, float, half_float, scaled_float
	TypeBool                // boolean
	TypeIP                  // ip
	TypeDate                // date (millisecond precision)
	TypeDateNanos           // date_nanos
	TypeVersion             // version (semantic-version ordering)
	TypeObject              // object or nested: not a leaf
)

var typeNames = map[FieldType]string{
	TypeUnknown: "unknown", TypeKeyword: "keyword", TypeText: "text", TypeLong: "long", TypeDouble: "double",
	TypeBool: "boolean", TypeIP: "ip", TypeDate: "date", TypeDateNanos: "date_nanos", TypeVersion: "version",
	TypeObject: "object",
}

func (t FieldType) String() string { return typeNames[t] }

// ParseFieldType maps an Elasticsearch (or ECS) type name to a FieldType.
// Unrecognised names give TypeUnknown.
func ParseFieldType(es string) FieldType {
	switch es {
	case "keyword", "wildcard", "constant_keyword", "flattened":
		return TypeKeyword
	case "text", "match_only_text":
		return TypeText
	case "long", "integer", "short", "byte", "unsigned_long":
		return TypeLong
	case "double", "float", "half_float", "scaled_float":
		return TypeDouble
	case "boolean":
		return TypeBool
	case "ip":
		return TypeIP
	case "date":
		return TypeDate
	case "date_nanos":
		return TypeDateNanos
	case "version":
		return TypeVersion
	case "object", "nested":
		return TypeObject
	}
	return TypeUnknown
}

// FieldInfo describes one field of a Schema.
type FieldInfo struct {
	Type FieldType
	// Alias, when non-empty, is the field this one is an alias of
	// (Elasticsearch "type": "alias"); lookups follow it.
	Alias string
	// NullValue replaces an explicit JSON null, as the mapping's null_value
	// does at index time. Null when unset.
	NullValue Value
	// DateFormats are the mapping's date formats (Java DateTimeFormatter
	// patterns or built-in names); empty means strict_date_optional_time||epoch_millis.
	DateFormats []string
	// Keyword is set for text fields that have a keyword sub-field, which is
	// what EQL compares against.
	Keyword bool
}

// Schema gives the types of fields. Implementations must be safe for
// concurrent use.
type Schema interface {
	// Field returns the description of a field and whether it is known.
	Field(name string) (FieldInfo, bool)
	// Closed reports whether the schema lists every field that exists, as an
	// Elasticsearch mapping does: then a reference to an unknown field is an
	// error and an unknown optional field (?f) is null.
	Closed() bool
}

// Mapping is a Schema read from an Elasticsearch index mapping.
type Mapping struct {
	fields map[string]FieldInfo
	closed bool
}

// NewMapping returns an empty, open mapping.
func NewMapping() *Mapping { return &Mapping{fields: map[string]FieldInfo{}} }

// Field implements Schema.
func (m *Mapping) Field(name string) (FieldInfo, bool) {
	if m == nil {
		return FieldInfo{}, false
	}
	fi, ok := m.fields[name]
	return fi, ok
}

// Closed implements Schema.
func (m *Mapping) Closed() bool { return m != nil && m.closed }

// SetClosed marks the mapping as complete (see Schema.Closed).
func (m *Mapping) SetClosed(closed bool) { m.closed = closed }

// Set records the description of a field, replacing any earlier one.
func (m *Mapping) Set(name string, fi FieldInfo) { m.fields[name] = fi }

// AddDynamic records name as a field of unknown type unless it is already
// known, as Elasticsearch's dynamic mapping adds fields it sees in documents.
// Typed dynamic detection is applied to the JSON value kind: strings become
// keyword (text+keyword in Elasticsearch), integers long, floats double,
// booleans boolean.
func (m *Mapping) AddDynamic(name string, sample Value) {
	if _, ok := m.fields[name]; ok {
		return
	}
	t := TypeUnknown
	switch sample.k {
	case KindString:
		t = TypeKeyword
	case KindInt:
		t = TypeLong
	case KindFloat:
		t = TypeDouble
	case KindBool:
		t = TypeBool
	}
	m.fields[name] = FieldInfo{Type: t}
}

// Names returns the known field names in sorted order.
func (m *Mapping) Names() []string {
	out := make([]string, 0, len(m.fields))
	for k := range m.fields {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Merge adds every field of o that m does not know yet. Conflicting types
// are left as m has them.
func (m *Mapping) Merge(o *Mapping) {
	for k, v := range o.fields {
		if _, ok := m.fields[k]; !ok {
			m.fields[k] = v
		}
	}
}

// ParseMapping reads an Elasticsearch index mapping in any of its usual
// shapes: {"mappings":{"properties":…}}, {"properties":…}, or a
// GET _mapping response {"<index>":{"mappings":{"properties":…}}}.
// Type names in square brackets (the EQL suite's "[runtime_random_keyword_type]"
// placeholders) are read as keyword.
func ParseMapping(data []byte) (*Mapping, error) {
	var root map[string]json.RawMessage
	if err := json.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("mapping is not a JSON object: %w", err)
	}
	props, err := findProperties(root)
	if err != nil {
		return nil, err
	}
	m := NewMapping()
	if err := m.addProperties("", props); err != nil {
		return nil, err
	}
	return m, nil
}

func findProperties(root map[string]json.RawMessage) (map[string]json.RawMessage, error) {
	if p, ok := root["properties"]; ok {
		return objectOf(p, "properties")
	}
	if mp, ok := root["mappings"]; ok {
		inner, err := objectOf(mp, "mappings")
		if err != nil {
			return nil, err
		}
		return findProperties(inner)
	}
	if len(root) == 1 { // GET <index>/_mapping response
		for _, v := range root {
			inner, err := objectOf(v, "index mapping")
			if err == nil {
				return findProperties(inner)
			}
		}
	}
	return nil, fmt.Errorf(`mapping has no "properties": expected {"mappings":{"properties":{…}}} or {"properties":{…}}`)
}

func objectOf(raw json.RawMessage, what string) (map[string]json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("mapping: %s is not an object", what)
	}
	return m, nil
}

type mappingField struct {
	Type       string                     `json:"type"`
	Path       string                     `json:"path"`
	NullValue  json.RawMessage            `json:"null_value"`
	Format     string                     `json:"format"`
	Properties map[string]json.RawMessage `json:"properties"`
	Fields     map[string]json.RawMessage `json:"fields"`
}

func (m *Mapping) addProperties(prefix string, props map[string]json.RawMessage) error {
	for name, raw := range props {
		full := name
		if prefix != "" {
			full = prefix + "." + name
		}
		var f mappingField
		if err := json.Unmarshal(raw, &f); err != nil {
			return fmt.Errorf("mapping: field %q: %v", full, err)
		}
		if f.Properties != nil && (f.Type == "" || f.Type == "object" || f.Type == "nested") {
			if err := m.addProperties(full, f.Properties); err != nil {
				return err
			}
			continue
		}
		typ := f.Type
		if strings.HasPrefix(typ, "[") && strings.HasSuffix(typ, "]") {
			typ = "keyword"
		}
		fi := FieldInfo{Type: ParseFieldType(typ)}
		if typ == "alias" {
			fi.Alias = f.Path
		}
		if f.Format != "" {
			fi.DateFormats = strings.Split(f.Format, "||")
		}
		if len(f.NullValue) > 0 && string(f.NullValue) != "null" {
			var nv any
			if err := json.Unmarshal(f.NullValue, &nv); err == nil {
				fi.NullValue = valueOfJSON(nv)
			}
		}
		if fi.Type == TypeText {
			for _, sub := range f.Fields {
				var sf mappingField
				if json.Unmarshal(sub, &sf) == nil {
					st := sf.Type
					if ParseFieldType(st) == TypeKeyword || strings.HasPrefix(st, "[") {
						fi.Keyword = true
					}
				}
			}
			if fi.Keyword {
				fi.Type = TypeKeyword
			}
		}
		m.fields[full] = fi
	}
	return nil
}

// resolve follows aliases (at most a few hops) and returns the concrete
// field name and its description.
func resolve(s Schema, name string) (string, FieldInfo, bool) {
	if s == nil {
		return name, FieldInfo{}, false
	}
	fi, ok := s.Field(name)
	for i := 0; ok && fi.Alias != "" && i < 8; i++ {
		name = fi.Alias
		fi, ok = s.Field(name)
	}
	return name, fi, ok
}

// AddDocument adds every field of doc that m does not know yet, typed as
// Elasticsearch's dynamic mapping would type it: strings that look like
// ISO dates become dates (date_detection), other strings keyword, integers
// long, decimals double, booleans boolean. Nested objects give dotted names.
func (m *Mapping) AddDocument(doc Doc) {
	m.addObject("", doc)
}

func (m *Mapping) addObject(prefix string, obj map[string]any) {
	for k, v := range obj {
		name := k
		if prefix != "" {
			name = prefix + "." + k
		}
		m.addValue(name, v)
	}
}

func (m *Mapping) addValue(name string, v any) {
	switch x := v.(type) {
	case nil:
		return
	case map[string]any:
		m.addObject(name, x)
		return
	case []any:
		for _, e := range x {
			m.addValue(name, e)
		}
		return
	}
	if _, ok := m.fields[name]; ok {
		return
	}
	val := valueOfJSON(v)
	if val.k == KindString {
		if _, ok := parseISODate(val.s, true); ok && len(val.s) >= 10 {
			m.fields[name] = FieldInfo{Type: TypeDate}
			return
		}
	}
	m.AddDynamic(name, val)
}
