// Package exception turns Kibana rule exceptions and value lists into an EQL
// filter.
//
// Kibana applies a rule's exceptions as a negated Query-DSL filter on every
// event before the EQL query (and so before sequencing) runs: an event that
// matches any exception item is not seen by the rule. eqld does the same
// with an EQL expression built here: Set.FilterFor returns an expression
// that is true for the events to exclude, and the engine ANDs
// `not (<filter>)` into every stage, so that one evaluator handles both.
//
// Inputs are Kibana's exception list export (`/api/exception_lists/_export`,
// NDJSON of list and item objects plus a summary line; a rule export with
// embedded exception lists works too) and value lists (the plain-text export
// of `/api/lists/items/_export`, one value per line, or NDJSON list items).
//
// The translation, entry by entry (Kibana's build_exception_filter.ts):
//
//	match      "is"            f == "v"
//	match_any  "is one of"     f in ("a", "b")
//	exists     "exists"        f != null
//	wildcard   "matches"       f like "pat*"   (case-sensitive, as ES's wildcard query)
//	list       "is in list"    f in (...values), cidrMatch(f, ...) for ip and ip_range lists
//	nested     sub-entries     AND over f.sub (see below)
//	operator: excluded         not (...)
//
// Entries of an item are ANDed, items are ORed, and an item's os_types
// add `host.os.type == os or host.os.name.caseless == os`.
//
// Elasticsearch queries are two-valued: a document without the field simply
// does not match `match`, and does match `must_not match`. EQL comparisons
// with a missing field are null instead, and `not null` is null, which would
// exclude such events. So every clause is guarded, `?f != null and f == "v"`,
// which is false (not null) when the field is absent, and negations become
// true for events without the field, exactly as in Elasticsearch. Fields are
// referenced as optional (`?f`) so that a field absent from every event is
// not an error.
//
// Field names: a `.caseless` suffix names Endpoint's lower-case-normalised
// keyword sub-field, so the base field is compared case-insensitively (in~,
// like~). A `.text` suffix names an analysed text sub-field; eqld has no
// analyser, so match and match_any on it become case-insensitive substring
// tests (stringContains~) of the base field, an approximation of a phrase
// query that can match inside words, and wildcard becomes like~.
//
// Nested entries (Endpoint's nested objects, e.g. file.signature) are
// applied as AND over `field.sub`: Elasticsearch requires all sub-entries to
// hold within one array element, eqld accepts them across elements.
//
// Values: Elasticsearch reads a match value through the field's mapping,
// which eqld does not have, so "true"/"false" also match booleans, and CIDR
// blocks and IPv6 addresses also match through cidrMatch (an ip field);
// numbers need nothing, as eqld's == compares 443 with "443". Wildcard
// values use Lucene syntax, where a backslash escapes the next character;
// EQL's like has no escape, so an escaped * or ? becomes ? (one character).
// Value lists: keyword lists become `in`, ip and ip_range lists cidrMatch
// (an "a-b" range is split into the exact covering CIDR blocks), numeric and
// boolean lists `in` over numbers or booleans, and text lists, which Kibana
// queries with match (all words, analysed), an AND of case-insensitive
// substring tests per word. Lists over Kibana's processable limits are not
// applied and reported, as Kibana does for EQL rules.
package exception

import (
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/eqld/eqld/rule"
)

// Problem is one finding about an export line, a list, an item or the
// filter of a rule. Messages say what is wrong and what to do.
type Problem struct {
	File     string     `json:"file,omitempty"`
	Line     int        `json:"line,omitempty"`
	RuleID   string     `json:"rule_id,omitempty"`
	ListID   string     `json:"list_id,omitempty"`
	ItemID   string     `json:"item_id,omitempty"`
	Field    string     `json:"field,omitempty"`
	Message  string     `json:"message"`
	Severity rule.Level `json:"severity"`
}

// Error formats the problem as "file:line: rule R: list L item I: field: message".
func (p Problem) Error() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
		if p.Line > 0 {
			b.WriteString(":" + strconv.Itoa(p.Line))
		}
		b.WriteString(": ")
	}
	if p.Severity == rule.LevelWarning {
		b.WriteString("warning: ")
	}
	if p.RuleID != "" {
		b.WriteString("rule " + p.RuleID + ": ")
	}
	if p.ListID != "" {
		b.WriteString("list " + p.ListID)
		if p.ItemID != "" {
			b.WriteString(" item " + p.ItemID)
		}
		b.WriteString(": ")
	}
	if p.Field != "" {
		b.WriteString(p.Field + ": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Source is where a list, item or value list was read from.
type Source struct {
	File string
	Line int
}

// ListKey identifies an exception list as rules reference it: Kibana
// matches exceptions_list entries by list_id and namespace_type.
type ListKey struct {
	ListID        string
	NamespaceType string // "single" or "agnostic"
}

// String renders the key as "list_id (namespace_type)".
func (k ListKey) String() string { return k.ListID + " (" + k.NamespaceType + ")" }

// List is an exception list container.
type List struct {
	ID            string   `json:"id,omitempty"`
	ListID        string   `json:"list_id"`
	NamespaceType string   `json:"namespace_type"`
	Type          string   `json:"type"`
	Name          string   `json:"name,omitempty"`
	Description   string   `json:"description,omitempty"`
	OSTypes       []string `json:"os_types,omitempty"`
	Tags          []string `json:"tags,omitempty"`
	// Items are the list's valid items in file order.
	Items []*Item `json:"-"`
	// Declared is false for a list known only from its items' list_id.
	Declared bool   `json:"-"`
	Source   Source `json:"-"`
}

// Key returns the list's ListKey.
func (l *List) Key() ListKey { return ListKey{l.ListID, l.NamespaceType} }

// Item is one exception: its entries are ANDed.
type Item struct {
	ID            string     `json:"id,omitempty"`
	ItemID        string     `json:"item_id"`
	ListID        string     `json:"list_id"`
	NamespaceType string     `json:"namespace_type"`
	Type          string     `json:"type"`
	Name          string     `json:"name,omitempty"`
	Description   string     `json:"description,omitempty"`
	Entries       []Entry    `json:"entries"`
	OSTypes       []string   `json:"os_types,omitempty"`
	ExpireTime    *time.Time `json:"expire_time,omitempty"`
	Tags          []string   `json:"tags,omitempty"`
	Comments      []string   `json:"comments,omitempty"`
	Source        Source     `json:"-"`
}

// Expired reports whether the item is past its expire_time at now; Kibana
// applies an item only while expire_time > now.
func (it *Item) Expired(now time.Time) bool {
	return it.ExpireTime != nil && !it.ExpireTime.After(now)
}

// label names the item in messages: its name, else its item_id.
func (it *Item) label() string {
	if it.Name != "" {
		return it.Name
	}
	return it.ItemID
}

// Entry kinds.
const (
	EntryMatch    = "match"
	EntryMatchAny = "match_any"
	EntryExists   = "exists"
	EntryWildcard = "wildcard"
	EntryList     = "list"
	EntryNested   = "nested"
)

// Entry operators.
const (
	Included = "included"
	Excluded = "excluded"
)

// Entry is one condition of an item.
type Entry struct {
	Field    string `json:"field"`
	Type     string `json:"type"`
	Operator string `json:"operator,omitempty"` // absent on nested entries
	// Value is the value of match and wildcard entries.
	Value string `json:"value,omitempty"`
	// Values are the values of a match_any entry.
	Values []string `json:"values,omitempty"`
	// List is the value list of a list entry.
	List *ListRef `json:"list,omitempty"`
	// Entries are the sub-entries of a nested entry, on fields relative
	// to Field.
	Entries []Entry `json:"entries,omitempty"`
}

// ListRef points a list entry at a value list.
type ListRef struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

// ValueList is a Kibana value list: an id, a type and its values.
type ValueList struct {
	ID          string
	Type        string
	Name        string
	Description string
	Values      []string
	Source      Source
}

// Value-list types that exception entries can use. Kibana also defines
// range, geo, binary and numeric types; numeric ones are supported as
// keyword-like lists of numbers, the others are reported and not applied.
var valueListTypes = map[string]bool{
	"keyword": true, "ip": true, "ip_range": true, "text": true,
	"long": true, "integer": true, "short": true, "byte": true, "double": true, "float": true,
	"half_float": true, "boolean": true, "date": true, "date_nanos": true,
}

// Kibana's limits for value lists used by rules that cannot post-filter
// (EQL among them): larger lists are "unprocessable" and the items using
// them are not applied, with a warning.
const (
	// MaxSmallValueList is MAXIMUM_SMALL_VALUE_LIST_SIZE: the most values
	// a list may have to be turned into a terms filter.
	MaxSmallValueList = 65536
	// MaxIPRangeDashValues is MAXIMUM_SMALL_IP_RANGE_VALUE_LIST_DASH_SIZE:
	// the most "a-b" ranges an ip_range list may have.
	MaxIPRangeDashValues = 200
	// MaxTextValues is the most values of a text list (one match query
	// each).
	MaxTextValues = 200
)

// Stats counts what was read.
type Stats struct {
	Lists      int // list objects
	Items      int // valid items
	BadItems   int // items rejected for errors
	ValueLists int
	Values     int // values in value lists
	Skipped    int // rule lines, connectors and export summaries
	Invalid    int // lines that are not JSON objects or not recognised
}

// Set holds exception lists and value lists and builds filters from them.
// The zero value is not usable; call NewSet. Reading is not safe for
// concurrent use; once reading is done, FilterFor and Filter may be called
// from several goroutines.
type Set struct {
	Lists      map[ListKey]*List
	ValueLists map[string]*ValueList
	// ApplyToAll makes every loaded exception list (except Endpoint
	// lists) apply to every rule, in addition to the lists the rule
	// references, for `--exceptions F` used globally from the command line.
	ApplyToAll bool
	// Problems are the findings made while reading.
	Problems []Problem
	Stats    Stats

	order []ListKey // lists in load order

	mu    sync.Mutex               // guards cache
	cache map[string]*compiledList // value lists converted per type
}

// NewSet returns an empty set.
func NewSet() *Set {
	return &Set{Lists: map[ListKey]*List{}, ValueLists: map[string]*ValueList{}}
}

// list returns the list with key k, creating an undeclared one.
func (s *Set) list(k ListKey) *List {
	l := s.Lists[k]
	if l == nil {
		l = &List{ListID: k.ListID, NamespaceType: k.NamespaceType, Type: "detection"}
		s.Lists[k] = l
		s.order = append(s.order, k)
	}
	return l
}

// Keys returns the keys of all lists in load order.
func (s *Set) Keys() []ListKey { return append([]ListKey(nil), s.order...) }
