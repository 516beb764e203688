package rule

import (
	"strconv"
	"strings"
)

// Level is how serious a Problem is.
type Level string

// Problem levels. An error rejects the rule (or skips the file or line); a
// warning is reported and changes nothing.
const (
	LevelError   Level = "error"
	LevelWarning Level = "warning"
)

// Problem is one finding about a rule file, an export line or a rule.
// Messages say what is wrong and what to do about it.
type Problem struct {
	File     string `json:"file"`
	Line     int    `json:"line,omitempty"`
	RuleID   string `json:"rule_id"`
	Field    string `json:"field"`
	Message  string `json:"message"`
	Severity Level  `json:"severity"`
}

// Error formats the problem as "file:line: rule <id>: <field>: <message>",
// leaving out the parts that are unknown.
func (p Problem) Error() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
		if p.Line > 0 {
			b.WriteString(":")
			b.WriteString(strconv.Itoa(p.Line))
		}
		b.WriteString(": ")
	}
	if p.Severity == LevelWarning {
		b.WriteString("warning: ")
	}
	if p.RuleID != "" {
		b.WriteString("rule ")
		b.WriteString(p.RuleID)
		b.WriteString(": ")
	}
	if p.Field != "" {
		b.WriteString(p.Field)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// HasErrors reports whether any problem in ps is an error.
func HasErrors(ps []Problem) bool {
	for _, p := range ps {
		if p.Severity == LevelError {
			return true
		}
	}
	return false
}
