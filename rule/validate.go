package rule

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Patterns and enums from detection_rules/schemas/definitions.py.
var (
	// uuidPattern is definitions.UUID_PATTERN. marshmallow's Regexp
	// validator uses re.match, which anchors only at the start, so upstream
	// accepts ids with trailing characters (two production rules have a
	// 13-digit last group); we do the same and warn separately.
	uuidPattern      = regexp.MustCompile(`^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}`)
	canonicalUUID    = regexp.MustCompile(`^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$`)
	namePattern      = regexp.MustCompile(`^[a-zA-Z0-9].+?[a-zA-Z0-9\[\]()]$`)
	datePattern      = regexp.MustCompile(`^\d{4}/\d{2}/\d{2}$`)
	intervalPattern  = regexp.MustCompile(`^\d+[mshd]$`)
	semverPattern    = regexp.MustCompile(`^\d+\.\d+\.\d+$`)
	tacticPattern    = regexp.MustCompile(`^TA\d{4}$`)
	techniquePattern = regexp.MustCompile(`^T\d{4}$`)
	subtechPattern   = regexp.MustCompile(`^T\d{4}\.\d{3}$`)
	atlasTactic      = regexp.MustCompile(`^AML\.TA\d{4}$`)
	atlasTechnique   = regexp.MustCompile(`^AML\.T\d{4}$`)
	atlasSubtech     = regexp.MustCompile(`^AML\.T\d{4}\.\d{3}$`)
)

// RuleTypes are the rule types of the schema, in upstream order.
var RuleTypes = []string{"query", "saved_query", "machine_learning", "eql", "esql", "threshold", "threat_match", "new_terms"}

// Severities are the rule severities from lowest to highest.
var Severities = []string{"low", "medium", "high", "critical"}

// Maturities are the values of metadata.maturity.
var Maturities = []string{"development", "experimental", "beta", "production", "deprecated"}

// severityBands are the risk_score ranges the detection-rules tests expect
// for each severity.
var severityBands = map[string][2]int{"low": {0, 21}, "medium": {22, 47}, "high": {48, 73}, "critical": {74, 100}}

// languagesByType lists the query languages each rule type accepts; nil
// means the type has no query language.
var languagesByType = map[string][]string{
	"query":            {"kuery", "lucene", "eql", "esql"},
	"saved_query":      {"kuery", "lucene"},
	"eql":              {"eql"},
	"esql":             {"esql"},
	"threshold":        {"kuery", "lucene"},
	"threat_match":     {"kuery", "lucene"},
	"new_terms":        {"kuery", "lucene"},
	"machine_learning": nil,
}

// exceptionListTypes are the values of exceptions_list[].type.
var exceptionListTypes = []string{"detection", "rule_default", "endpoint", "endpoint_trusted_apps",
	"endpoint_trusted_devices", "endpoint_events", "endpoint_host_isolation_exceptions",
	"endpoint_blocklists", "endpoint_custom_yara_signatures"}

func oneOf(v string, set []string) bool {
	for _, s := range set {
		if v == s {
			return true
		}
	}
	return false
}

func quoteList(set []string) string {
	q := make([]string, len(set))
	for i, s := range set {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}

// validator collects the problems of one rule.
type validator struct {
	r        *Rule
	kibana   bool // read from a Kibana export: repository-only checks become warnings
	problems []Problem
	// bad holds the paths that failed to decode: their zero values would
	// only produce follow-on complaints, so checks on them are dropped.
	bad map[string]bool
}

// param is the key path of a [rule] field in Source.Keys.
func param(name string) string { return "rule." + name }

func (v *validator) add(level Level, path, format string, args ...any) {
	for p := path; p != ""; p = parentPath(p) {
		if v.bad[p] {
			return
		}
	}
	field := path
	if v.kibana {
		// Kibana exports have no [rule] table; name fields as the API does.
		field = strings.TrimPrefix(path, "rule.")
	}
	v.problems = append(v.problems, Problem{
		File:     v.r.Source.File,
		Line:     v.r.Source.LineOf(path),
		RuleID:   v.r.RuleID,
		Field:    field,
		Message:  fmt.Sprintf(format, args...),
		Severity: level,
	})
}

func (v *validator) errorf(path, format string, args ...any) {
	v.add(LevelError, path, format, args...)
}

func (v *validator) warnf(path, format string, args ...any) {
	v.add(LevelWarning, path, format, args...)
}

// repof reports a rule the detection-rules repository would refuse but
// Kibana accepts: an error for TOML rules, a warning for Kibana exports.
func (v *validator) repof(path, format string, args ...any) {
	if v.kibana {
		v.warnf(path, format, args...)
		return
	}
	v.errorf(path, format, args...)
}

func (v *validator) has(path string) bool { return v.r.Source.Has(path) }

// validate checks a decoded, non-deprecated rule against the schema. bad
// lists the paths that could not be decoded.
func validate(r *Rule, kibana bool, bad map[string]bool) []Problem {
	v := &validator{r: r, kibana: kibana, bad: bad}
	if !kibana {
		v.metadata()
	}
	v.common()
	v.schedule()
	v.threat()
	v.mappings()
	v.typeSpecific()
	if r.Transform != nil {
		v.transform()
	}
	return v.problems
}

func (v *validator) metadata() {
	m := &v.r.Metadata
	if !v.has("metadata") {
		v.errorf("metadata", "missing [metadata] table; add creation_date, updated_date and maturity")
		return
	}
	for _, f := range []struct {
		name, value string
		required    bool
	}{
		{"creation_date", m.CreationDate, true},
		{"updated_date", m.UpdatedDate, true},
		{"deprecation_date", m.DeprecationDate, false},
	} {
		path := "metadata." + f.name
		switch {
		case !v.has(path):
			if f.required {
				v.errorf(path, "required; add it as \"YYYY/MM/DD\"")
			}
		case !datePattern.MatchString(f.value):
			v.errorf(path, "%q is not a date in the form YYYY/MM/DD", f.value)
		default:
			if _, err := time.Parse("2006/01/02", f.value); err != nil {
				v.errorf(path, "%q is not a calendar date", f.value)
			}
		}
	}
	if datePattern.MatchString(m.CreationDate) && datePattern.MatchString(m.UpdatedDate) && m.UpdatedDate < m.CreationDate {
		v.warnf("metadata.updated_date", "%s is before creation_date %s; set it to the date of the last change", m.UpdatedDate, m.CreationDate)
	}
	switch {
	case !v.has("metadata.maturity"):
		v.errorf("metadata.maturity", "required; set it to one of %s", quoteList(Maturities))
	case !oneOf(m.Maturity, Maturities):
		v.errorf("metadata.maturity", "%q is not a maturity; use one of %s", m.Maturity, quoteList(Maturities))
	}
	if m.MinStackVersion != "" {
		if !semverPattern.MatchString(m.MinStackVersion) {
			v.errorf("metadata.min_stack_version", "%q is not a version like 8.14.0", m.MinStackVersion)
		}
		if m.MinStackComments == "" {
			v.warnf("metadata.min_stack_version", "set min_stack_comments to say why the rule needs this stack version")
		}
	}
}

func (v *validator) common() {
	r := v.r
	switch {
	case !v.has(param("rule_id")) || r.RuleID == "":
		v.errorf(param("rule_id"), "required; add a lower-case UUID (for example from uuidgen | tr A-F a-f)")
	case !uuidPattern.MatchString(r.RuleID):
		v.repof(param("rule_id"), "%q is not a lower-case UUID", r.RuleID)
	case !canonicalUUID.MatchString(r.RuleID):
		v.warnf(param("rule_id"), "%q has characters after the UUID; detection-rules accepts it, but a 36-character UUID is expected", r.RuleID)
	}
	switch {
	case !v.has(param("name")) || r.Name == "":
		v.errorf(param("name"), "required; add the rule's display name")
	case !namePattern.MatchString(r.Name):
		v.repof(param("name"), "%q must start with a letter or digit and end with a letter, digit, bracket or parenthesis", r.Name)
	}
	switch {
	case !v.has(param("type")) || r.Type == "":
		v.errorf(param("type"), "required; set it to one of %s", quoteList(RuleTypes))
	case !oneOf(r.Type, RuleTypes):
		v.errorf(param("type"), "%q is not a rule type; use one of %s", r.Type, quoteList(RuleTypes))
	}
	if !v.has(param("description")) || strings.TrimSpace(r.Description) == "" {
		v.errorf(param("description"), "required; describe what the rule detects")
	}
	if !v.kibana && (!v.has(param("author")) || len(r.Author) == 0) {
		v.errorf(param("author"), "required; list the rule's authors, for example [\"Elastic\"]")
	}
	severityOK := false
	switch {
	case !v.has(param("severity")) || r.Severity == "":
		v.errorf(param("severity"), "required; set it to one of %s", quoteList(Severities))
	case !oneOf(r.Severity, Severities):
		v.errorf(param("severity"), "%q is not a severity; use one of %s", r.Severity, quoteList(Severities))
	default:
		severityOK = true
	}
	switch {
	case !v.has(param("risk_score")):
		v.errorf(param("risk_score"), "required; set an integer from 0 to 100")
	case r.RiskScore < 0 || r.RiskScore > 100:
		v.errorf(param("risk_score"), "%d is out of range; use an integer from 0 to 100", r.RiskScore)
	case severityOK:
		if b := severityBands[r.Severity]; r.RiskScore < b[0] || r.RiskScore > b[1] {
			v.warnf(param("risk_score"), "%d does not match severity %q (expected %d-%d); align the two", r.RiskScore, r.Severity, b[0], b[1])
		}
	}
	if r.BuildingBlockType != "" && r.BuildingBlockType != "default" {
		v.errorf(param("building_block_type"), "%q is not allowed; the only building block type is \"default\"", r.BuildingBlockType)
	}
	for i, t := range r.Tags {
		if strings.TrimSpace(t) == "" {
			v.warnf(fmt.Sprintf("%s[%d]", param("tags"), i), "empty tag; remove it")
		}
	}
	for i, ref := range r.ExceptionsList {
		path := fmt.Sprintf("%s[%d]", param("exceptions_list"), i)
		if ref.ID == "" || ref.ListID == "" {
			v.errorf(path, "needs both id and list_id of the exception list")
		}
		if ref.NamespaceType != "single" && ref.NamespaceType != "agnostic" {
			v.errorf(path+".namespace_type", "%q is not a namespace type; use \"single\" or \"agnostic\"", ref.NamespaceType)
		}
		if !oneOf(ref.Type, exceptionListTypes) {
			v.errorf(path+".type", "%q is not an exception list type; use one of %s", ref.Type, quoteList(exceptionListTypes))
		}
	}
	if r.InvestigationFields != nil && len(r.InvestigationFields.FieldNames) == 0 {
		v.warnf(param("investigation_fields"), "field_names is empty; list fields or remove investigation_fields")
	}
}

// schedule checks from, to, interval and max_signals.
func (v *validator) schedule() {
	r := v.r
	// The window is checked at an arbitrary fixed "now"; only expressions
	// anchored at now are compared, since absolute dates depend on the run.
	now := time.Date(2024, 6, 15, 12, 0, 0, 0, time.UTC)
	eval := func(name, expr, def string, roundUp bool) (t time.Time, relative, ok bool) {
		if !v.has(param(name)) {
			expr = def
		}
		d, err := ParseDateMath(expr)
		if err == nil {
			t, err = d.Time(now, roundUp)
		}
		if err != nil {
			v.errorf(param(name), "%v", err)
			return t, false, false
		}
		return t, d.Now, true
	}
	from, fromRel, fromOK := eval("from", r.From, DefaultFrom, false)
	to, toRel, toOK := eval("to", r.To, DefaultTo, true)
	if fromOK && toOK && fromRel && toRel && !from.Before(to) {
		v.errorf(param("from"), "the window from %q to %q is empty; from must be earlier than to",
			r.WithDefaults().From, r.WithDefaults().To)
	}
	if v.has(param("interval")) && !intervalPattern.MatchString(r.Interval) {
		v.errorf(param("interval"), "%q is not an interval; write a number and one of s m h d, like 5m", r.Interval)
	}
	if v.has(param("max_signals")) {
		switch {
		case r.MaxSignals < 1:
			v.errorf(param("max_signals"), "%d is below 1; set at least 1 (Kibana's default is 100)", r.MaxSignals)
		case r.MaxSignals > 1000:
			v.warnf(param("max_signals"), "%d is above Kibana's default alert limit per run (1000); Kibana would cap it unless xpack.alerting.rules.run.alerts.max is raised", r.MaxSignals)
		}
	}
}

func (v *validator) threat() {
	for i, t := range v.r.Threat {
		path := fmt.Sprintf("%s[%d]", param("threat"), i)
		var tacticRE, techRE, subRE *regexp.Regexp
		switch t.Framework {
		case "MITRE ATT&CK":
			tacticRE, techRE, subRE = tacticPattern, techniquePattern, subtechPattern
		case "MITRE ATLAS":
			tacticRE, techRE, subRE = atlasTactic, atlasTechnique, atlasSubtech
		default:
			v.errorf(path+".framework", "%q is not a framework; use \"MITRE ATT&CK\" or \"MITRE ATLAS\"", t.Framework)
		}
		if !v.has(path + ".tactic") {
			v.errorf(path+".tactic", "required; add the tactic's id, name and reference")
		} else {
			v.threatItem(path+".tactic", t.Tactic.ID, t.Tactic.Name, t.Tactic.Reference, tacticRE, "TA0008")
		}
		for j, te := range t.Technique {
			tp := fmt.Sprintf("%s.technique[%d]", path, j)
			v.threatItem(tp, te.ID, te.Name, te.Reference, techRE, "T1021")
			for k, st := range te.Subtechnique {
				sp := fmt.Sprintf("%s.subtechnique[%d]", tp, k)
				v.threatItem(sp, st.ID, st.Name, st.Reference, subRE, "T1021.006")
				if techRE != nil && techRE.MatchString(te.ID) && subRE.MatchString(st.ID) && !strings.HasPrefix(st.ID, te.ID+".") {
					v.warnf(sp+".id", "%q is not a sub-technique of %q; move it under its parent technique", st.ID, te.ID)
				}
			}
		}
	}
}

func (v *validator) threatItem(path, id, name, ref string, re *regexp.Regexp, example string) {
	switch {
	case id == "":
		v.errorf(path+".id", "required; add the MITRE id, like %s", example)
	case re != nil && !re.MatchString(id):
		v.errorf(path+".id", "%q is not a valid id here; expected the form %s", id, example)
	}
	if name == "" {
		v.errorf(path+".name", "required; add the MITRE name")
	}
	if ref == "" {
		v.errorf(path+".reference", "required; add the MITRE URL")
	} else if !strings.HasPrefix(ref, "https://") {
		v.warnf(path+".reference", "%q is not an https URL", ref)
	}
}

// mappings checks severity and risk-score overrides.
func (v *validator) mappings() {
	for i, m := range v.r.SeverityMapping {
		path := fmt.Sprintf("%s[%d]", param("severity_mapping"), i)
		if m.Field == "" {
			v.errorf(path+".field", "required; name the event field to map")
		}
		if m.Operator != "equals" {
			v.errorf(path+".operator", "%q is not supported; the only operator is \"equals\"", m.Operator)
		}
		if !oneOf(m.Severity, Severities) {
			v.errorf(path+".severity", "%q is not a severity; use one of %s", m.Severity, quoteList(Severities))
		}
	}
	for i, m := range v.r.RiskScoreMapping {
		path := fmt.Sprintf("%s[%d]", param("risk_score_mapping"), i)
		if m.Field == "" {
			v.errorf(path+".field", "required; name the event field holding the risk score")
		}
		if m.Operator != "equals" {
			v.errorf(path+".operator", "%q is not supported; the only operator is \"equals\"", m.Operator)
		}
		if m.RiskScore != nil && (*m.RiskScore < 0 || *m.RiskScore > 100) {
			v.errorf(path+".risk_score", "%d is out of range 0-100", *m.RiskScore)
		}
	}
}

// typeSpecific checks language/type combinations and each type's fields.
func (v *validator) typeSpecific() {
	r := v.r
	langs, known := languagesByType[r.Type]
	if !known {
		return // already reported
	}
	if langs == nil {
		if r.Language != "" {
			v.errorf(param("language"), "%s rules have no query language; remove language", r.Type)
		}
	} else {
		switch {
		case r.Language == "" && r.Type == "eql":
			v.errorf(param("language"), "required; set language = \"eql\"")
		case r.Language == "" && r.Type == "esql":
			v.errorf(param("language"), "required; set language = \"esql\"")
		case r.Language != "" && !oneOf(r.Language, langs):
			v.errorf(param("language"), "%q cannot be used with type %q; use %s", r.Language, r.Type, quoteList(langs))
		}
		needQuery := !(r.Type == "saved_query" && r.SavedID != "")
		if needQuery && strings.TrimSpace(r.Query) == "" {
			v.errorf(param("query"), "required for %s rules; add the query", r.Type)
		}
		if r.Type != "esql" && len(r.Index) == 0 && r.DataViewID == "" {
			v.warnf(param("index"), "no index patterns or data_view_id: Kibana would search its default security indices, and eqld cannot tell which events the rule reads; add index")
		}
	}
	if r.Type != "eql" {
		for _, f := range []string{"event_category_override", "tiebreaker_field", "timestamp_field"} {
			if v.has(param(f)) {
				v.warnf(param(f), "only EQL rules use %s; remove it", f)
			}
		}
	}
	v.alertSuppression()
	switch r.Type {
	case "threshold":
		v.threshold()
	case "new_terms":
		v.newTerms()
	case "machine_learning":
		if r.AnomalyThreshold == nil {
			v.errorf(param("anomaly_threshold"), "required for machine_learning rules; set an integer from 0 to 100")
		} else if *r.AnomalyThreshold < 0 || *r.AnomalyThreshold > 100 {
			v.errorf(param("anomaly_threshold"), "%d is out of range 0-100", *r.AnomalyThreshold)
		}
		if len(r.MachineLearningJobID) == 0 {
			v.errorf(param("machine_learning_job_id"), "required for machine_learning rules; name the ML job(s)")
		}
	case "threat_match":
		if len(r.ThreatIndex) == 0 {
			v.errorf(param("threat_index"), "required for threat_match rules; list the indicator indices")
		}
		if r.ThreatQuery == "" {
			v.errorf(param("threat_query"), "required for threat_match rules; add the indicator query (\"*:*\" for all)")
		}
		if len(r.ThreatMapping) == 0 {
			v.errorf(param("threat_mapping"), "required for threat_match rules; map event fields to indicator fields")
		}
		for i, m := range r.ThreatMapping {
			for j, e := range m.Entries {
				p := fmt.Sprintf("%s[%d].entries[%d]", param("threat_mapping"), i, j)
				if e.Field == "" || e.Value == "" {
					v.errorf(p, "needs both field and value")
				}
				if e.Type != "mapping" {
					v.errorf(p+".type", "%q is not supported; the only entry type is \"mapping\"", e.Type)
				}
			}
		}
		if r.ThreatLanguage != "" && !oneOf(r.ThreatLanguage, []string{"kuery", "lucene"}) {
			v.errorf(param("threat_language"), "%q is not supported; use \"kuery\" or \"lucene\"", r.ThreatLanguage)
		}
	}
}

func (v *validator) alertSuppression() {
	s := v.r.AlertSuppression
	if s == nil {
		return
	}
	path := param("alert_suppression")
	if v.r.Type == "threshold" {
		// ThresholdAlertSuppression: a duration and nothing else.
		if s.Duration == nil {
			v.errorf(path+".duration", "required for threshold rules; add {value, unit}")
		}
		if len(s.GroupBy) > 0 || s.MissingFieldsStrategy != "" {
			v.errorf(path, "threshold rules suppress on the threshold fields; remove group_by and missing_fields_strategy")
		}
	} else {
		switch n := len(s.GroupBy); {
		case n == 0:
			v.errorf(path+".group_by", "required; list 1 to 3 fields to group alerts by")
		case n > 5:
			v.errorf(path+".group_by", "%d fields; Kibana allows at most 5 (detection-rules at most 3)", n)
		case n > 3:
			v.warnf(path+".group_by", "%d fields need Kibana 9.2 or later; detection-rules allows at most 3", n)
		}
		for i, f := range s.GroupBy {
			if strings.TrimSpace(f) == "" {
				v.errorf(fmt.Sprintf("%s.group_by[%d]", path, i), "empty field name")
			}
		}
		switch s.MissingFieldsStrategy {
		case "suppress", "doNotSuppress":
		case "":
			v.errorf(path+".missing_fields_strategy", "required; use \"suppress\" or \"doNotSuppress\"")
		default:
			v.errorf(path+".missing_fields_strategy", "%q is not supported; use \"suppress\" or \"doNotSuppress\"", s.MissingFieldsStrategy)
		}
	}
	if d := s.Duration; d != nil {
		if d.Unit != "s" && d.Unit != "m" && d.Unit != "h" {
			v.errorf(path+".duration.unit", "%q is not a unit; use \"s\", \"m\" or \"h\"", d.Unit)
		}
		if d.Value < 1 {
			v.errorf(path+".duration.value", "%d is below 1", d.Value)
		}
	}
}

func (v *validator) threshold() {
	t := v.r.Threshold
	path := param("threshold")
	if t == nil {
		v.errorf(path, "required for threshold rules; add field and value")
		return
	}
	if len(t.Field) > 5 {
		v.errorf(path+".field", "%d fields; at most 5 are allowed", len(t.Field))
	}
	if t.Value < 1 {
		v.errorf(path+".value", "%d is below 1; the threshold must be at least 1", t.Value)
	}
	for i, c := range t.Cardinality {
		p := fmt.Sprintf("%s.cardinality[%d]", path, i)
		if c.Field == "" {
			v.errorf(p+".field", "required")
		}
		if c.Value < 1 {
			v.errorf(p+".value", "%d is below 1", c.Value)
		}
	}
}

func (v *validator) newTerms() {
	r := v.r
	path := param("new_terms")
	if !v.kibana {
		nt := r.NewTerms
		if nt == nil {
			v.errorf(path, "required for new_terms rules; add field = \"new_terms_fields\", value and history_window_start")
			return
		}
		if nt.Field != "new_terms_fields" {
			v.errorf(path+".field", "%q must be \"new_terms_fields\"", nt.Field)
		}
		for i, h := range nt.HistoryWindowStart {
			if h.Field != "history_window_start" {
				v.errorf(fmt.Sprintf("%s.history_window_start[%d].field", path, i), "%q must be \"history_window_start\"", h.Field)
			}
		}
		if len(nt.HistoryWindowStart) != 1 {
			v.errorf(path+".history_window_start", "needs exactly one entry; found %d", len(nt.HistoryWindowStart))
		}
		path += ".value"
	} else {
		path = param("new_terms_fields")
	}
	if n := len(r.NewTermsFields); n < 1 || n > 3 {
		v.errorf(path, "%d fields; list 1 to 3 fields whose new values alert", n)
	}
	hw := param("history_window_start")
	if !v.kibana {
		hw = param("new_terms.history_window_start")
	}
	if r.HistoryWindowStart == "" {
		v.errorf(hw, "required; set the start of the history window, like now-10d")
	} else if _, err := EvalDateMath(r.HistoryWindowStart, time.Now(), false); err != nil {
		v.errorf(hw, "%v", err)
	}
}

func (v *validator) transform() {
	t := v.r.Transform
	for i, o := range t.Osquery {
		p := fmt.Sprintf("transform.osquery[%d]", i)
		if o.Label == "" || o.Query == "" {
			v.errorf(p, "needs both label and query")
		}
	}
	for i, inv := range t.Investigate {
		p := fmt.Sprintf("transform.investigate[%d]", i)
		if inv.Label == "" {
			v.errorf(p+".label", "required")
		}
		if len(inv.Providers) == 0 {
			v.errorf(p+".providers", "required; add at least one group of query terms")
		}
		for _, f := range []struct{ name, val string }{{"relativeFrom", inv.RelativeFrom}, {"relativeTo", inv.RelativeTo}} {
			if f.val == "" {
				continue
			}
			if _, err := ParseDateMath(f.val); err != nil {
				v.errorf(p+"."+f.name, "%v", err)
			}
		}
		for j, group := range inv.Providers {
			for k, pr := range group {
				pp := fmt.Sprintf("%s.providers[%d][%d]", p, j, k)
				if pr.QueryType != "phrase" && pr.QueryType != "range" {
					v.errorf(pp+".queryType", "%q is not supported; use \"phrase\" or \"range\"", pr.QueryType)
				}
				if pr.ValueType != "string" && pr.ValueType != "boolean" {
					v.errorf(pp+".valueType", "%q is not supported; use \"string\" or \"boolean\"", pr.ValueType)
				}
			}
		}
	}
}
