package parser

// token is the kind of a lexical token. The set follows the lexer rules of
// Elasticsearch's EqlBase.g4, so that every query Elasticsearch splits into
// tokens is split the same way here.
type token uint8

const (
	tEOF     token = iota
	tIllegal       // text that is no token; the scanner has reported it

	// Literals and names.
	tIdent       // process, @timestamp
	tTildeIdent  // startsWith~ (the value holds the name without ~)
	tQuotedIdent // `my-field` (the value holds the unescaped name)
	tInt         // 42
	tFloat       // 4.2, .5, 1e3
	tString      // "text" or """text""" (the value holds the decoded text)

	// Operators and punctuation.
	tAssign     // =
	tEq         // ==
	tNeq        // !=
	tLt         // <
	tLe         // <=
	tGt         // >
	tGe         // >=
	tPlus       // +
	tMinus      // -
	tStar       // *
	tSlash      // /
	tPercent    // %
	tDot        // .
	tComma      // ,
	tLbrack     // [
	tRbrack     // ]
	tLparen     // (
	tRparen     // )
	tPipe       // |
	tQuestion   // ?
	tBangLbrack // ![
	tColon      // :

	// Keywords. They are reserved in lower case only, as in the
	// Elasticsearch grammar; `Sequence` or `AND` are plain identifiers.
	keywordBeg
	tAnd
	tAny
	tBy
	tFalse
	tIn
	tInI // in~
	tJoin
	tLike
	tLikeI // like~
	tMaxspan
	tNot
	tNull
	tOf
	tOr
	tRegex
	tRegexI // regex~
	tSample
	tSequence
	tTrue
	tUntil
	tWhere
	tWith
	keywordEnd
)

var tokenText = [...]string{
	tEOF:         "end of query",
	tIllegal:     "illegal character",
	tIdent:       "name",
	tTildeIdent:  "function name",
	tQuotedIdent: "field name",
	tInt:         "integer",
	tFloat:       "number",
	tString:      "string",
	tAssign:      "=",
	tEq:          "==",
	tNeq:         "!=",
	tLt:          "<",
	tLe:          "<=",
	tGt:          ">",
	tGe:          ">=",
	tPlus:        "+",
	tMinus:       "-",
	tStar:        "*",
	tSlash:       "/",
	tPercent:     "%",
	tDot:         ".",
	tComma:       ",",
	tLbrack:      "[",
	tRbrack:      "]",
	tLparen:      "(",
	tRparen:      ")",
	tPipe:        "|",
	tQuestion:    "?",
	tBangLbrack:  "![",
	tColon:       ":",
	tAnd:         "and",
	tAny:         "any",
	tBy:          "by",
	tFalse:       "false",
	tIn:          "in",
	tInI:         "in~",
	tJoin:        "join",
	tLike:        "like",
	tLikeI:       "like~",
	tMaxspan:     "maxspan",
	tNot:         "not",
	tNull:        "null",
	tOf:          "of",
	tOr:          "or",
	tRegex:       "regex",
	tRegexI:      "regex~",
	tSample:      "sample",
	tSequence:    "sequence",
	tTrue:        "true",
	tUntil:       "until",
	tWhere:       "where",
	tWith:        "with",
}

// String returns the token's fixed text, or a description for tokens
// whose text varies.
func (t token) String() string {
	if int(t) < len(tokenText) && tokenText[t] != "" {
		return tokenText[t]
	}
	return "token"
}

func (t token) isKeyword() bool { return keywordBeg < t && t < keywordEnd }

// keywords maps each reserved word to its token. `runs` is deliberately not
// here: Elasticsearch lexes it as an identifier and only checks the option
// name after `with`, so `runs` remains usable as a field name.
var keywords = map[string]token{
	"and":      tAnd,
	"any":      tAny,
	"by":       tBy,
	"false":    tFalse,
	"in":       tIn,
	"join":     tJoin,
	"like":     tLike,
	"maxspan":  tMaxspan,
	"not":      tNot,
	"null":     tNull,
	"of":       tOf,
	"or":       tOr,
	"regex":    tRegex,
	"sample":   tSample,
	"sequence": tSequence,
	"true":     tTrue,
	"until":    tUntil,
	"where":    tWhere,
	"with":     tWith,
}
