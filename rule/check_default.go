package rule

import (
	"errors"
	"fmt"
	"strings"

	"github.com/eqld/eqld/eql/parser"
)

func init() { DefaultQueryCheck = ParseCheck }

// ParseCheck is the default QueryCheck: the query must parse with
// eql/parser. It does not yet resolve functions or check types; the EQL
// compiler's check replaces it when that lands (pass it as
// Options.CheckQuery). Positions in the message are line:column within the
// query text.
func ParseCheck(r *Rule) error {
	_, err := parser.ParseQuery(r.Query)
	if err == nil {
		return nil
	}
	var list parser.ErrorList
	if errors.As(err, &list) && len(list) > 0 {
		msgs := make([]string, len(list))
		for i, e := range list {
			msgs[i] = e.Short()
		}
		return fmt.Errorf("query does not parse: %s; fix the query", strings.Join(msgs, "; "))
	}
	return fmt.Errorf("query does not parse: %v; fix the query", err)
}
