// Package eql is Elasticsearch's Event Query Language as a Go library: it
// parses, checks and compiles EQL queries in the Elasticsearch dialect and
// runs them over events with Elasticsearch's semantics, so that a query
// means here exactly what it means in an _eql/search request.
//
// # Stages
//
// A query goes through the stages Go's own front end and cel-go use:
//
//	text ──parser.ParseQuery──▶ *ast.Query ──CompileAST──▶ *Query ──NewRunner/Search──▶ []Result
//
// Compile does the first two in one call. Parsing (package parser) knows
// the grammar and the constructs Elasticsearch rejects; compiling checks
// names and types against an optional Schema (an Elasticsearch mapping:
// see ParseMapping) and turns every condition into a closure.
//
// # Events
//
// A query reads events through the Event interface, one field at a time.
// Doc wraps a decoded JSON object (nested objects, dotted keys and arrays
// of objects all work); Record holds values in slots filled by a fast
// decoder that reads only the fields in Query.Fields. Arrays are
// multi-valued fields: a comparison holds when any value satisfies it.
//
// # Running
//
// Query.Search runs a query over a finite set of events the way
// _eql/search does: events sorted by timestamp and tiebreaker, sequences
// returned in order of completion, pipes and size applied, samples ordered
// by key. Query.NewRunner is the streaming form: events pushed in time
// order, results delivered as they complete, sequence state bounded by
// maxspan (expired as event time advances) or, without maxspan, by a
// budget whose evictions are counted in Stats.
//
// # Semantics worth knowing
//
//   - Comparisons between a field and constants behave like Elasticsearch's
//     Query DSL: they never match a missing field, and `not` takes their
//     complement, so `x != "a"` and `not x : "a"` match events without x.
//     Range comparisons are negated into the opposite range instead.
//     Everything else (functions of fields, arithmetic, conditions used as
//     values) is three-valued, with null propagating as in SQL.
//   - `==` and `in` are case-sensitive; `:`, `in~`, `like~`, `regex~` and
//     the name~ functions are not. `:` and like take * and ? wildcards,
//     regex takes Lucene regular expressions matched against the whole
//     string.
//   - Integer arithmetic is Java's: division truncates, overflow is null.
//
// Unlike Elasticsearch, comparisons between two fields are allowed.
package eql
