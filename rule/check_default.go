package rule

import (
	"errors"
	"fmt"
	"strings"

	"github.com/eqld/eqld/eql"
	"github.com/eqld/eqld/eql/parser"
)

func init() { DefaultQueryCheck = CompileCheck }

// CompileCheck is the default QueryCheck: the query must compile with eqld's
// EQL compiler (parse, names, functions, types), with the rule's
// event_category_override, timestamp_field and tiebreaker_field as Kibana
// passes them to _eql/search. Positions in the message are line:column
// within the query text.
func CompileCheck(r *Rule) error {
	_, err := eql.Compile(r.Query, &eql.Options{
		EventCategoryField: r.EventCategoryOverride,
		TimestampField:     r.TimestampField,
		TiebreakerField:    r.TiebreakerField,
	})
	return queryError("does not compile", err)
}

// ParseCheck is a lighter QueryCheck: the query must parse with
// eql/parser; names and types are not checked.
func ParseCheck(r *Rule) error {
	_, err := parser.ParseQuery(r.Query)
	return queryError("does not parse", err)
}

// queryError renders a parser/compiler error list on one line, located at
// its first error.
func queryError(what string, err error) error {
	if err == nil {
		return nil
	}
	var list parser.ErrorList
	if errors.As(err, &list) && len(list) > 0 {
		msgs := make([]string, len(list))
		for i, e := range list {
			msgs[i] = e.Short()
		}
		return &QueryError{Line: list[0].Position.Line, Column: list[0].Position.Column, Err: err,
			Msg: fmt.Sprintf("query %s: %s; fix the query", what, strings.Join(msgs, "; "))}
	}
	return &QueryError{Err: err, Msg: fmt.Sprintf("query %s: %v; fix the query", what, err)}
}
