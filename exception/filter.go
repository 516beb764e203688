package exception

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/eqld/eqld/ecs"
	"github.com/eqld/eqld/eql/ast"
	"github.com/eqld/eqld/rule"
)

// FilterFor returns the exclusion filter of r at the run start time now:
// an EQL expression that is true for the events the rule's exceptions
// remove, or nil when nothing is to be excluded. The lists are those r
// references in exceptions_list (matched by list_id and namespace_type),
// plus every loaded list when ApplyToAll is set. Endpoint lists are skipped
// as Kibana skips them for EQL rules; items expired at now are skipped.
//
// The problems are warnings: references to lists that were not loaded,
// skipped Endpoint lists, expired items, and items that cannot be applied
// (a missing or too large value list), which Kibana reports as "The
// following exceptions won't be applied to rule execution".
func (s *Set) FilterFor(r *rule.Rule, now time.Time) (ast.Expr, []Problem) {
	b := &builder{s: s, now: now, ruleID: r.RuleID}
	seen := map[ListKey]bool{}
	var keys []ListKey
	for _, ref := range r.ExceptionsList {
		ns, _ := namespaceOf(ref.NamespaceType)
		k := ListKey{ref.ListID, ns}
		if seen[k] {
			continue
		}
		seen[k] = true
		if isEndpoint(ref.Type, ref.ListID) {
			b.warn(ref.ListID, "", "Endpoint exception lists are enforced by Elastic Defend on the host, and Kibana does not apply them to EQL rules; skipped")
			continue
		}
		l := s.Lists[k]
		if l == nil {
			b.warn(ref.ListID, "", fmt.Sprintf("the rule references exception list %s, which was not loaded; load its export to apply it", k))
			continue
		}
		if isEndpoint(l.Type, l.ListID) {
			b.warn(ref.ListID, "", fmt.Sprintf("list %s is the Endpoint exception list (type %q), which Kibana does not apply to EQL rules; skipped", k, l.Type))
			continue
		}
		keys = append(keys, k)
	}
	if s.ApplyToAll {
		for _, k := range s.order {
			if !seen[k] && !isEndpoint(s.Lists[k].Type, k.ListID) {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	return b.build(keys)
}

// Keep turns an exclusion filter into the condition an event must satisfy
// to be seen by the rule, `not (filter)`, which is what eql.Options.Filter
// takes. It returns nil for a nil filter (nothing excluded).
func Keep(filter ast.Expr) ast.Expr {
	if filter == nil {
		return nil
	}
	return not(filter)
}

// Filter is FilterFor for an explicit list of lists, without a rule.
// Unknown keys are reported; Endpoint lists are applied like any other.
func (s *Set) Filter(keys []ListKey, now time.Time) (ast.Expr, []Problem) {
	b := &builder{s: s, now: now}
	var known []ListKey
	for _, k := range keys {
		if s.Lists[k] == nil {
			b.warn(k.ListID, "", fmt.Sprintf("exception list %s was not loaded", k))
			continue
		}
		known = append(known, k)
	}
	return b.build(known)
}

// isEndpoint reports whether a list is the Elastic Endpoint exception list
// (list_id endpoint_list, type endpoint), which Kibana leaves out when it
// loads a rule's exceptions. The other endpoint_* types are Defend
// artifacts (trusted apps, event filters, …) that rules do not reference;
// if one is referenced it is applied like a detection list.
func isEndpoint(typ, listID string) bool {
	return typ == "endpoint" || listID == "endpoint_list"
}

// builder compiles the items of some lists for one rule.
type builder struct {
	s        *Set
	now      time.Time
	ruleID   string
	problems []Problem
}

func (b *builder) warn(listID, itemID, msg string) {
	b.problems = append(b.problems, Problem{RuleID: b.ruleID, ListID: listID, ItemID: itemID,
		Message: msg, Severity: rule.LevelWarning})
}

func (b *builder) build(keys []ListKey) (ast.Expr, []Problem) {
	var items []ast.Expr
	var unapplied []string
	for _, k := range keys {
		l := b.s.Lists[k]
		for _, it := range l.Items {
			if it.Expired(b.now) {
				b.warn(it.ListID, it.ItemID, fmt.Sprintf("expired at %s, before the run start %s; not applied, as in Kibana",
					it.ExpireTime.UTC().Format(time.RFC3339), b.now.UTC().Format(time.RFC3339)))
				continue
			}
			x, reason := b.item(it)
			if reason != "" {
				unapplied = append(unapplied, fmt.Sprintf("%s (%s)", it.label(), reason))
				continue
			}
			if isConst(x, false) {
				b.warn(it.ListID, it.ItemID, "this item can never match (an empty value list); it excludes nothing")
				continue
			}
			if isConst(x, true) {
				b.warn(it.ListID, it.ItemID, "this item matches every event, so the rule will see no events")
			}
			items = append(items, x)
		}
	}
	if len(unapplied) > 0 {
		b.problems = append(b.problems, Problem{RuleID: b.ruleID, Severity: rule.LevelWarning,
			Message: "The following exceptions won't be applied to rule execution: " + strings.Join(unapplied, ", ")})
	}
	x := or(items...)
	if isConst(x, false) {
		return nil, b.problems
	}
	return x, b.problems
}

// item compiles one item: os_types and entries ANDed. A non-empty reason
// means the item cannot be applied.
func (b *builder) item(it *Item) (ast.Expr, string) {
	var clauses []ast.Expr
	if len(it.OSTypes) > 0 {
		clauses = append(clauses, osClause(it.OSTypes))
	}
	for _, e := range it.Entries {
		x, reason := b.entry(e, e.Field)
		if reason != "" {
			return nil, reason
		}
		clauses = append(clauses, x)
	}
	return and(clauses...), ""
}

// osClause is Kibana's os_types condition: host.os.type is one of the
// types, or host.os.name.caseless is (case-insensitively).
func osClause(types []string) ast.Expr {
	t, n := field("host.os.type"), field("host.os.name")
	return or(
		guarded(t, eqAny(t, types, false)),
		guarded(n, eqAny(n, types, true)),
	)
}

// fieldMode says how a field suffix changes comparisons.
type fieldMode int

const (
	exact    fieldMode = iota
	caseless           // .caseless: lower-case-normalised keyword sub-field
	text               // .text: analysed text sub-field
)

func splitField(name string) (string, fieldMode) {
	switch {
	case strings.HasSuffix(name, ".caseless") && len(name) > len(".caseless"):
		return strings.TrimSuffix(name, ".caseless"), caseless
	case strings.HasSuffix(name, ".text") && len(name) > len(".text"):
		return strings.TrimSuffix(name, ".text"), text
	}
	return name, exact
}

// entry compiles one entry on the given (full) field name.
func (b *builder) entry(e Entry, name string) (ast.Expr, string) {
	if e.Type == EntryNested {
		var subs []ast.Expr
		for _, se := range e.Entries {
			x, reason := b.entry(se, name+"."+se.Field)
			if reason != "" {
				return nil, reason
			}
			subs = append(subs, x)
		}
		return and(subs...), ""
	}
	base, mode := splitField(name)
	f := field(base)
	excluded := e.Operator == Excluded
	var pos ast.Expr
	switch e.Type {
	case EntryExists:
		if excluded {
			return bin(ast.Eq, f, null()), ""
		}
		return bin(ast.Neq, f, null()), ""
	case EntryMatch:
		pos = matchValues(f, []string{e.Value}, mode)
	case EntryMatchAny:
		pos = matchValues(f, e.Values, mode)
	case EntryWildcard:
		pos = wildcard(f, e.Value, mode)
	case EntryList:
		var reason string
		pos, reason = b.list(f, e.List, mode)
		if reason != "" {
			return nil, reason
		}
	default:
		return nil, fmt.Sprintf("entry type %q cannot be applied", e.Type)
	}
	x := guarded(f, pos)
	if excluded {
		return not(x), ""
	}
	return x, ""
}

// fieldType gives the Elasticsearch type of an ECS field (ok false for
// fields ECS does not define).
var fieldType = ecs.FieldType

// matchValues is match/match_any: equality with any of vals.
//
// Kibana sends a match_phrase per value, which Elasticsearch interprets
// through the field's mapping. eqld reads the values the way the mapping
// would: "true"/"false" also match the booleans of a boolean field, and a
// CIDR block or an IPv6 address also matches by cidrMatch on an ip field
// (where a term query on "10.0.0.0/8" matches the whole block, and IPv6 has
// many spellings). The field's type comes from ECS; for fields ECS does not
// define both widenings apply. Numbers need nothing: eqld's == already
// compares 443 with "443" numerically.
func matchValues(f *ast.Field, vals []string, mode fieldMode) ast.Expr {
	switch mode {
	case caseless:
		return eqAny(f, vals, true)
	case text:
		// A phrase query on analysed text, approximated by a
		// case-insensitive substring test.
		xs := make([]ast.Expr, len(vals))
		for i, v := range vals {
			xs[i] = call("stringContains", true, f, str(v))
		}
		return or(xs...)
	}
	typ, known := fieldType(f.Name)
	widenBool := !known || typ == "boolean"
	widenIP := !known || typ == "ip"
	list := make([]ast.Expr, 0, len(vals))
	var bools, cidrs []ast.Expr
	for _, v := range vals {
		list = append(list, str(v))
		if widenBool && (v == "true" || v == "false") {
			bools = append(bools, boolLit(v == "true"))
		}
		if c, ok := ipMatchCIDR(v); ok && widenIP {
			cidrs = append(cidrs, str(c))
		}
	}
	list = append(list, bools...)
	var eq ast.Expr
	if len(list) == 1 {
		eq = bin(ast.Eq, f, list[0])
	} else {
		eq = &ast.In{X: f, OpPos: ast.NoPos, List: list, EndPos: ast.NoPos}
	}
	if len(cidrs) == 0 {
		return eq
	}
	return or(eq, call("cidrMatch", false, append([]ast.Expr{f}, cidrs...)...))
}

// wildcard converts an Elasticsearch wildcard query value (Lucene syntax:
// * and ?, backslash escapes the next character) into like / like~. EQL's
// like has no escape, so an escaped * or ? is matched by ? (any one
// character), a slight widening; a value without wildcards becomes an
// equality.
func wildcard(f *ast.Field, v string, mode fieldMode) ast.Expr {
	pattern, literal, hasWildcard := convertWildcard(v)
	if !hasWildcard {
		return matchValues(f, []string{literal}, mode)
	}
	op := ast.Like
	if mode != exact {
		op = ast.LikeI
	}
	return &ast.Match{Op: op, OpPos: ast.NoPos, X: f, Patterns: []ast.Expr{str(pattern)}, EndPos: ast.NoPos}
}

// convertWildcard returns the like pattern, the unescaped literal text, and
// whether the value has any wildcard (escaped ones included).
func convertWildcard(v string) (pattern, literal string, hasWildcard bool) {
	var p, l strings.Builder
	rs := []rune(v)
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		switch {
		case c == '\\' && i+1 < len(rs):
			i++
			c = rs[i]
			l.WriteRune(c)
			if c == '*' || c == '?' {
				hasWildcard = true
				p.WriteRune('?')
			} else {
				p.WriteRune(c)
			}
		case c == '*' || c == '?':
			hasWildcard = true
			p.WriteRune(c)
			l.WriteRune(c)
		default:
			p.WriteRune(c)
			l.WriteRune(c)
		}
	}
	return p.String(), l.String(), hasWildcard
}

// list compiles a value-list entry.
func (b *builder) list(f *ast.Field, ref *ListRef, mode fieldMode) (ast.Expr, string) {
	vl := b.s.ValueLists[ref.ID]
	if vl == nil {
		return nil, fmt.Sprintf("value list %q was not loaded", ref.ID)
	}
	typ := vl.Type
	if typ == "" {
		typ = ref.Type
	}
	if typ == "" {
		typ = "keyword"
	}
	c, fresh := b.s.compiled(vl, typ)
	if fresh {
		for _, p := range c.problems {
			p.RuleID = b.ruleID
			b.problems = append(b.problems, p)
		}
	}
	if c.unprocessable != "" {
		return nil, c.unprocessable
	}
	switch c.kind {
	case "cidr":
		if len(c.lits) == 0 {
			return boolLit(false), ""
		}
		return call("cidrMatch", false, append([]ast.Expr{f}, c.lits...)...), ""
	case "text":
		var alts []ast.Expr
		for _, toks := range c.tokens {
			var all []ast.Expr
			for _, tok := range toks {
				all = append(all, call("stringContains", true, f, str(tok)))
			}
			alts = append(alts, and(all...))
		}
		return or(alts...), ""
	}
	if len(c.lits) == 0 {
		return boolLit(false), ""
	}
	return &ast.In{X: f, CaseInsensitive: mode != exact && c.kind == "keyword", OpPos: ast.NoPos,
		List: c.lits, EndPos: ast.NoPos}, ""
}

// compiledList is a value list turned into literals for one type.
type compiledList struct {
	kind          string // "cidr", "text", "keyword" or "number"
	lits          []ast.Expr
	tokens        [][]string
	unprocessable string
	problems      []Problem // bad values, reported with the first filter using the list
}

// compiled converts a value list once per type; fresh is true the first
// time, when the caller reports the list's bad values, so that a list used
// by many rules warns once. Safe for concurrent use.
func (s *Set) compiled(vl *ValueList, typ string) (c *compiledList, fresh bool) {
	key := vl.ID + "\x00" + typ
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cache == nil {
		s.cache = map[string]*compiledList{}
	}
	if c := s.cache[key]; c != nil {
		return c, false
	}
	c = compileList(vl, typ)
	s.cache[key] = c
	return c, true
}

func compileList(vl *ValueList, typ string) *compiledList {
	c := &compiledList{}
	bad := func(v, why string) {
		c.problems = append(c.problems, Problem{File: vl.Source.File, ListID: vl.ID, Severity: rule.LevelWarning,
			Message: fmt.Sprintf("value %q %s; it is ignored", truncate(v, 60), why)})
	}
	if len(vl.Values) > MaxSmallValueList {
		c.unprocessable = fmt.Sprintf("value list %q has %d values, more than Kibana's limit of %d for EQL rules", vl.ID, len(vl.Values), MaxSmallValueList)
		return c
	}
	seen := map[string]bool{}
	add := func(k string, x ast.Expr) {
		if !seen[k] {
			seen[k] = true
			c.lits = append(c.lits, x)
		}
	}
	switch typ {
	case "ip", "ip_range":
		c.kind = "cidr"
		dashes := 0
		for _, v := range vl.Values {
			if typ == "ip_range" && strings.Contains(v, "-") {
				dashes++
			}
		}
		if dashes > MaxIPRangeDashValues {
			c.unprocessable = fmt.Sprintf("ip_range value list %q has %d dash ranges, more than Kibana's limit of %d", vl.ID, dashes, MaxIPRangeDashValues)
			return c
		}
		for _, v := range vl.Values {
			cidrs, err := ipValueCIDRs(strings.TrimSpace(v), typ == "ip_range")
			if err != nil {
				bad(v, err.Error())
				continue
			}
			for _, p := range cidrs {
				add(p, str(p))
			}
		}
	case "text":
		c.kind = "text"
		if len(vl.Values) > MaxTextValues {
			c.unprocessable = fmt.Sprintf("text value list %q has %d values, more than Kibana's limit of %d", vl.ID, len(vl.Values), MaxTextValues)
			return c
		}
		for _, v := range vl.Values {
			toks := tokens(v)
			if len(toks) == 0 {
				bad(v, "has no words to match")
				continue
			}
			c.tokens = append(c.tokens, toks)
		}
	case "long", "integer", "short", "byte":
		c.kind = "number"
		for _, v := range vl.Values {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil {
				bad(v, "is not an integer")
				continue
			}
			add(strconv.FormatInt(n, 10), &ast.Int{Value: n, ValuePos: ast.NoPos, EndPos: ast.NoPos})
		}
	case "double", "float", "half_float":
		c.kind = "number"
		for _, v := range vl.Values {
			x, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil || x != x || x > 1.7976931348623157e308 || x < -1.7976931348623157e308 {
				bad(v, "is not a finite number")
				continue
			}
			add(strconv.FormatFloat(x, 'g', -1, 64), &ast.Float{Value: x, ValuePos: ast.NoPos, EndPos: ast.NoPos})
		}
	case "boolean":
		c.kind = "number"
		for _, v := range vl.Values {
			bv, err := strconv.ParseBool(strings.TrimSpace(v))
			if err != nil {
				bad(v, "is not true or false")
				continue
			}
			add(strconv.FormatBool(bv), boolLit(bv))
		}
	default:
		if !valueListTypes[typ] {
			c.unprocessable = fmt.Sprintf("value list %q has type %q, which exceptions cannot use", vl.ID, typ)
			return c
		}
		c.kind = "keyword"
		for _, v := range vl.Values {
			add(v, str(v))
		}
	}
	return c
}

// tokens splits text roughly as Elasticsearch's standard analyzer does: runs
// of letters and digits.
func tokens(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// AST construction. Synthesised nodes carry ast.NoPos; parentheses are
// added where the printer needs them for the text to parse back the same.

func field(name string) *ast.Field {
	return &ast.Field{Name: name, Optional: true, NamePos: ast.NoPos, EndPos: ast.NoPos}
}

func str(v string) *ast.String { return &ast.String{Value: v, ValuePos: ast.NoPos, EndPos: ast.NoPos} }

func null() *ast.Null { return &ast.Null{ValuePos: ast.NoPos} }

func boolLit(v bool) *ast.Bool { return &ast.Bool{Value: v, ValuePos: ast.NoPos} }

func paren(x ast.Expr) *ast.Paren { return &ast.Paren{Lparen: ast.NoPos, X: x, Rparen: ast.NoPos} }

func bin(op ast.BinaryOp, x, y ast.Expr) *ast.Binary {
	return &ast.Binary{Op: op, OpPos: ast.NoPos, X: x, Y: y}
}

func call(name string, ci bool, args ...ast.Expr) *ast.Call {
	return &ast.Call{Name: name, CaseInsensitive: ci, NamePos: ast.NoPos, Args: args, EndPos: ast.NoPos}
}

// eqAny is f == v, or f in (...) for several values; ci makes it in~.
func eqAny(f *ast.Field, vals []string, ci bool) ast.Expr {
	if len(vals) == 1 && !ci {
		return bin(ast.Eq, f, str(vals[0]))
	}
	list := make([]ast.Expr, len(vals))
	for i, v := range vals {
		list[i] = str(v)
	}
	return &ast.In{X: f, CaseInsensitive: ci, OpPos: ast.NoPos, List: list, EndPos: ast.NoPos}
}

// guarded is `?f != null and x`: false, rather than null, when f is absent.
func guarded(f *ast.Field, x ast.Expr) ast.Expr {
	return and(bin(ast.Neq, f, null()), x)
}

func isConst(x ast.Expr, v bool) bool {
	b, ok := x.(*ast.Bool)
	return ok && b.Value == v
}

func isBinary(x ast.Expr, op ast.BinaryOp) bool {
	b, ok := x.(*ast.Binary)
	return ok && b.Op == op
}

// and joins xs with `and`, folding constants; it is true when xs is empty.
func and(xs ...ast.Expr) ast.Expr {
	var out ast.Expr
	for _, x := range xs {
		switch {
		case isConst(x, true):
			continue
		case isConst(x, false):
			return boolLit(false)
		case isBinary(x, ast.Or):
			x = paren(x)
		}
		if out == nil {
			out = x
		} else {
			out = bin(ast.And, out, x)
		}
	}
	if out == nil {
		return boolLit(true)
	}
	return out
}

// or joins xs with `or`, folding constants; it is false when xs is empty.
// Conjunctions are parenthesised for readability.
func or(xs ...ast.Expr) ast.Expr {
	var kept []ast.Expr
	for _, x := range xs {
		switch {
		case isConst(x, false):
			continue
		case isConst(x, true):
			return boolLit(true)
		}
		kept = append(kept, x)
	}
	var out ast.Expr
	for _, x := range kept {
		if len(kept) > 1 && isBinary(x, ast.And) {
			x = paren(x)
		}
		if out == nil {
			out = x
		} else {
			out = bin(ast.Or, out, x)
		}
	}
	if out == nil {
		return boolLit(false)
	}
	return out
}

// not negates x, folding constants and parenthesising compound operands.
func not(x ast.Expr) ast.Expr {
	switch v := x.(type) {
	case *ast.Bool:
		return boolLit(!v.Value)
	case *ast.Paren, *ast.Call, *ast.Field:
	default:
		x = paren(x)
	}
	return &ast.Unary{Op: ast.Not, OpPos: ast.NoPos, X: x}
}
