package alert

import (
	"strconv"
	"strings"
	"time"
)

// getter returns the value a reason or override field has in a document,
// as the JavaScript code sees it (undefined when absent).
type getter func(path string) value

// fieldsGetter reads a hit the way getFieldsFromDoc does for an EQL hit:
// `mergedDoc.fields || mergedDoc._source`, and EQL hits always carry
// `fields` (the request asks for {field: "*", include_unmapped: true}).
// Elasticsearch's fields are arrays of leaf values, so a field is an array
// here too, and undefined when the document has no value for it.
func fieldsGetter(src *object) getter {
	return func(path string) value {
		vals := fieldValues(src, path, nil)
		if len(vals) == 0 {
			return undefinedValue
		}
		return arrayValue(vals)
	}
}

// lodashGetter reads a plain document (the shell's merged building blocks)
// with lodash's get, as getFieldsFromDoc does when the document has no
// fields or _source property.
func lodashGetter(o *object) getter {
	doc := objectValue(o)
	return func(path string) value {
		// `mergedDoc?.fields || mergedDoc?._source || mergedDoc`: a merged
		// document with its own truthy fields/_source property is read
		// through it.
		for _, k := range [...]string{"fields", "_source"} {
			if v, ok := o.get(k); ok && truthy(v) {
				return lodashGet(v, path)
			}
		}
		return lodashGet(doc, path)
	}
}

func truthy(v value) bool {
	switch v.kind {
	case kindUndefined, kindNull, kindFalse:
		return false
	case kindNumber:
		return v.n != 0
	case kindString:
		return v.s != ""
	}
	return true
}

// templateValue is getFieldTemplateValue of buildReasonMessageUtil
// (detection_engine/signals/reason_formatters.ts): isFieldEmpty treats
// falsy values, values without a length (numbers, booleans, objects) and
// the single value "-" as absent; arrays are joined with ", ".
func templateValue(v value) (string, bool) {
	switch v.kind {
	case kindString:
		if v.s == "" || v.s == "-" {
			return "", false
		}
		return v.s, true
	case kindArray:
		if len(v.arr) == 0 {
			return "", false
		}
		if len(v.arr) == 1 && v.arr[0].kind == kindString && v.arr[0].s == "-" {
			return "", false
		}
		var b strings.Builder
		for i, e := range v.arr {
			if i > 0 {
				b.WriteString(", ")
			}
			if e.kind != kindNull && e.kind != kindUndefined {
				b.WriteString(jsString(e))
			}
		}
		return b.String(), true
	}
	return "", false
}

// reasonMessage is buildReasonMessageUtil, the i18n template
// xpack.securitySolution.detectionEngine.signals.alertReasonDescription:
//
//	{eventCategory }event[ with][ process {p},][ parent process {pp},][ file {f},]
//	[ source {sip}][:{sport},][ destination {dip}][:{dport},][ by {user}][ on {host}] created {severity} alert {name}.
//
// "with" appears when any field of interest (process, parent process, file,
// source, destination) is present. The template selects on the values'
// text, so a value that reads "null" counts as absent, as in Kibana.
func reasonMessage(name, severity string, get getter) string {
	field := func(path string) (string, bool) {
		s, ok := templateValue(get(path))
		if !ok || s == "null" {
			return "", false
		}
		return s, true
	}
	category, hasCategory := field("event.category")
	process, hasProcess := field("process.name")
	parent, hasParent := field("process.parent.name")
	file, hasFile := field("file.name")
	srcIP, hasSrcIP := field("source.ip")
	srcPort, hasSrcPort := field("source.port")
	dstIP, hasDstIP := field("destination.ip")
	dstPort, hasDstPort := field("destination.port")
	user, hasUser := field("user.name")
	host, hasHost := field("host.name")

	var b strings.Builder
	b.Grow(96 + len(name))
	if hasCategory {
		b.WriteString(category)
		b.WriteByte(' ')
	}
	b.WriteString("event")
	if hasProcess || hasParent || hasFile || hasSrcIP || hasSrcPort || hasDstIP || hasDstPort {
		b.WriteString(" with")
	}
	if hasProcess {
		b.WriteString(" process " + process + ",")
	}
	if hasParent {
		b.WriteString(" parent process " + parent + ",")
	}
	if hasFile {
		b.WriteString(" file " + file + ",")
	}
	if hasSrcIP {
		b.WriteString(" source " + srcIP)
	}
	if hasSrcPort {
		b.WriteString(":" + srcPort + ",")
	}
	if hasDstIP {
		b.WriteString(" destination " + dstIP)
	}
	if hasDstPort {
		b.WriteString(":" + dstPort + ",")
	}
	if hasUser {
		b.WriteString(" by " + user)
	}
	if hasHost {
		b.WriteString(" on " + host)
	}
	b.WriteString(" created " + severity + " alert " + name + ".")
	return b.String()
}

// originalTime is getValidDateFromDoc({doc, primaryTimestamp: "@timestamp"})
// rendered with toISOString: the first @timestamp value of the hit, or "".
func originalTime(src *object) string {
	t, ok := timestampOf(src)
	if !ok {
		return ""
	}
	return isoTime(t)
}

func eventTime(src *object) time.Time {
	t, _ := timestampOf(src)
	return t
}

func timestampOf(src *object) (time.Time, bool) {
	vals := fieldValues(src, "@timestamp", nil)
	if len(vals) == 0 {
		return time.Time{}, false
	}
	return parseTimestamp(vals[0])
}

// isoLayouts are the date forms Elasticsearch's strict_date_optional_time
// takes that moment() also reads.
var isoLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"2006-01-02",
}

// parseTimestamp reads a date as moment() does for getValidDateFromDoc: an
// ISO string, or epoch milliseconds as a number or numeric string. A date
// without a zone is UTC (Elasticsearch's default for date fields).
func parseTimestamp(v value) (time.Time, bool) {
	switch v.kind {
	case kindNumber:
		return time.UnixMilli(int64(v.n)).UTC(), true
	case kindString:
		s := strings.TrimSpace(v.s)
		for _, layout := range isoLayouts {
			if t, err := time.Parse(layout, s); err == nil {
				return t.UTC(), true
			}
		}
		if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
			return time.UnixMilli(ms).UTC(), true
		}
	}
	return time.Time{}, false
}

// contextOf picks the fields tables and timelines show.
func contextOf(src *object) (host, user, process, cmd string) {
	first := func(path string) string {
		for _, v := range fieldValues(src, path, nil) {
			if v.kind == kindString || v.kind == kindNumber {
				return v.s
			}
		}
		return ""
	}
	host = first("host.name")
	if host == "" {
		host = first("host.hostname")
	}
	user = first("user.name")
	process = first("process.name")
	cmd = first("process.command_line")
	if cmd == "" {
		var args []string
		for _, v := range fieldValues(src, "process.args", nil) {
			if v.kind == kindString {
				args = append(args, v.s)
			}
		}
		cmd = strings.Join(args, " ")
	}
	return host, user, process, cmd
}

// shellContext takes the context of a shell from the fields common to the
// sequence and, where the sequence has none in common, from the latest
// present event (the one that completed the sequence).
func shellContext(merged, last *object) (host, user, process, cmd string) {
	host, user, process, cmd = contextOf(merged)
	if last == nil {
		return
	}
	lh, lu, lp, lc := contextOf(last)
	if host == "" {
		host = lh
	}
	if user == "" {
		user = lu
	}
	if process == "" {
		process = lp
	}
	if cmd == "" {
		cmd = lc
	}
	return
}
