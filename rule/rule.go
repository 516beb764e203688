// Package rule loads, validates and selects Elastic Security detection rules.
//
// Two sources are read: the TOML files of Elastic's detection-rules
// repository (a `[metadata]` table, a `[rule]` table and an optional
// `[transform]` table per file) and Kibana's rule export (`POST _export`, NDJSON with one
// rule object per line in Kibana's API shape). Both end up in the same Rule
// value, whose Params field carries Kibana's API field names in its json tags
// so that it can be copied verbatim into `kibana.alert.rule.parameters`.
//
// Validation follows detection-rules (`detection_rules/rule.py` and
// `schemas/definitions.py`): every finding is a Problem with the file, line,
// rule id and field it is about. A rule with an error is loaded but rejected
// (not runnable); warnings never reject. Deprecated rules are loaded as plain
// data, as upstream does, and are not schema-checked.
package rule

import (
	"crypto/sha1"
	"encoding/hex"
	"strings"
)

// Rule is one detection rule with everything its source file said about it.
//
// The three tables of a detection-rules TOML file map onto Metadata, Params
// and Transform. A rule read from a Kibana export has only Params (Kibana
// does not keep [metadata] or [transform]).
type Rule struct {
	// Metadata is the [metadata] table; zero for Kibana exports.
	Metadata Metadata `toml:"metadata" json:"metadata"`
	// Params is the [rule] table, i.e. the rule object of Kibana's API.
	Params `toml:"rule" json:"rule"`
	// Transform is the optional [transform] table.
	Transform *Transform `toml:"transform,omitempty" json:"transform,omitempty"`

	// UUID is the rule's saved-object id, hashed into every alert id as
	// kibana.alert.rule.uuid. For a Kibana export it is the exported `id`;
	// for a TOML rule, which has no saved object, it is DerivedUUID(RuleID)
	// so that alert ids are stable across runs.
	UUID string `toml:"-" json:"-"`
	// Source says where the rule was read from, with the line of each key.
	Source Source `toml:"-" json:"-"`
	// Deprecated is set for rules with maturity "deprecated" or read from a
	// `_deprecated` directory. They are excluded from selections by default.
	Deprecated bool `toml:"-" json:"-"`
	// Runnable is true for an EQL rule without validation errors whose
	// query passed the query check.
	Runnable bool `toml:"-" json:"-"`
	// Status is "runnable", "rejected" or "not_runnable" (see the Status
	// constants); Reason explains anything but runnable.
	Status Status `toml:"-" json:"-"`
	Reason string `toml:"-" json:"-"`
	// Problems are the findings about this rule (also in Set.Problems).
	Problems []Problem `toml:"-" json:"-"`
}

// Status classifies a loaded rule.
type Status string

// The statuses a loaded rule can have.
const (
	// StatusRunnable: an EQL rule that eqld can run.
	StatusRunnable Status = "runnable"
	// StatusRejected: the rule has validation errors or its query does not
	// pass the query check.
	StatusRejected Status = "rejected"
	// StatusNotRunnable: a valid rule of a type eqld does not run yet.
	StatusNotRunnable Status = "not_runnable"
)

// IsBuildingBlock reports whether the rule is a building-block rule.
func (r *Rule) IsBuildingBlock() bool { return r.BuildingBlockType != "" }

// Source records where a rule came from.
type Source struct {
	// File is the path the rule was read from.
	File string
	// Format is "toml" or "ndjson".
	Format string
	// Line is the first line of the rule: 1 for TOML, the line of the
	// object in an NDJSON export.
	Line int
	// Keys maps the dotted path of every key present in the source, with
	// array elements as [i] (for example "rule.threat[0].tactic.id"), to its
	// 1-based line, or 0 where the line is unknown. Kibana rules are stored
	// under the same "rule." prefix so that lookups are format-independent.
	Keys map[string]int
	// QueryLine is the line on which the query text starts in a TOML file
	// (0 when unknown), to turn positions within the query into file lines.
	QueryLine int
}

// Has reports whether the key path (for example "rule.max_signals") was
// present in the source.
func (s *Source) Has(path string) bool {
	_, ok := s.Keys[path]
	return ok
}

// LineOf returns the line of path, or of its nearest ancestor that has a
// line, or the rule's first line.
func (s *Source) LineOf(path string) int {
	for p := path; p != ""; p = parentPath(p) {
		if l, ok := s.Keys[p]; ok && l > 0 {
			return l
		}
	}
	return s.Line
}

// parentPath strips the last segment of a dotted path ("a.b[0]" → "a.b",
// "a.b" → "a").
func parentPath(p string) string {
	if strings.HasSuffix(p, "]") {
		if i := strings.LastIndexByte(p, '['); i >= 0 {
			return p[:i]
		}
	}
	if i := strings.LastIndexByte(p, '.'); i >= 0 {
		return p[:i]
	}
	return ""
}

// Metadata is the [metadata] table of a detection-rules TOML file
// (RuleMeta in detection_rules/rule.py).
type Metadata struct {
	CreationDate          string         `toml:"creation_date" json:"creation_date,omitempty"`
	UpdatedDate           string         `toml:"updated_date" json:"updated_date,omitempty"`
	Maturity              string         `toml:"maturity" json:"maturity,omitempty"`
	Integration           StringList     `toml:"integration" json:"integration,omitempty"`
	MinStackVersion       string         `toml:"min_stack_version" json:"min_stack_version,omitempty"`
	MinStackComments      string         `toml:"min_stack_comments" json:"min_stack_comments,omitempty"`
	DeprecationDate       string         `toml:"deprecation_date" json:"deprecation_date,omitempty"`
	DeprecatedReason      string         `toml:"deprecated_reason" json:"deprecated_reason,omitempty"`
	BypassBBRTiming       bool           `toml:"bypass_bbr_timing" json:"bypass_bbr_timing,omitempty"`
	Promotion             bool           `toml:"promotion" json:"promotion,omitempty"`
	Comments              string         `toml:"comments" json:"comments,omitempty"`
	OSTypeList            []string       `toml:"os_type_list" json:"os_type_list,omitempty"`
	QuerySchemaValidation *bool          `toml:"query_schema_validation" json:"query_schema_validation,omitempty"`
	RelatedEndpointRules  []string       `toml:"related_endpoint_rules" json:"related_endpoint_rules,omitempty"`
	Extended              map[string]any `toml:"extended" json:"extended,omitempty"`
}

// Params is the [rule] table of a TOML rule and, equally, the rule object of
// Kibana's detection-engine API: the json tags are Kibana's field names.
//
// Fields hold what the source said; absent fields are zero. Kibana's defaults
// (from now-6m, to now, interval 5m, max_signals 100) are applied by
// WithDefaults, not at load time, so that validation sees the source.
type Params struct {
	// Kibana saved-object fields (exports only; not allowed in TOML).
	ID        string `toml:"-" json:"id,omitempty"`
	CreatedAt string `toml:"-" json:"created_at,omitempty"`
	CreatedBy string `toml:"-" json:"created_by,omitempty"`
	UpdatedAt string `toml:"-" json:"updated_at,omitempty"`
	UpdatedBy string `toml:"-" json:"updated_by,omitempty"`
	Immutable bool   `toml:"-" json:"immutable,omitempty"`
	// RuleSource is Kibana's {type: internal|external, is_customized, …}.
	RuleSource  map[string]any `toml:"-" json:"rule_source,omitempty"`
	OutputIndex string         `toml:"-" json:"output_index,omitempty"`
	Namespace   string         `toml:"-" json:"namespace,omitempty"`
	// Fields of Kibana's _find and resolve responses, accepted so that
	// their output loads without warnings.
	ExecutionSummary map[string]any `toml:"-" json:"execution_summary,omitempty"`
	Outcome          string         `toml:"-" json:"outcome,omitempty"`
	AliasTargetID    string         `toml:"-" json:"alias_target_id,omitempty"`
	AliasPurpose     string         `toml:"-" json:"alias_purpose,omitempty"`

	// Common fields (BaseRuleData).
	RuleID              string               `toml:"rule_id" json:"rule_id"`
	Name                string               `toml:"name" json:"name"`
	Type                string               `toml:"type" json:"type"`
	Description         string               `toml:"description" json:"description"`
	Author              []string             `toml:"author" json:"author,omitempty"`
	RiskScore           int                  `toml:"risk_score" json:"risk_score"`
	RiskScoreMapping    []RiskScoreMapping   `toml:"risk_score_mapping" json:"risk_score_mapping,omitempty"`
	Severity            string               `toml:"severity" json:"severity"`
	SeverityMapping     []SeverityMapping    `toml:"severity_mapping" json:"severity_mapping,omitempty"`
	License             string               `toml:"license" json:"license,omitempty"`
	Tags                []string             `toml:"tags" json:"tags,omitempty"`
	Threat              []Threat             `toml:"threat" json:"threat,omitempty"`
	From                string               `toml:"from" json:"from,omitempty"`
	To                  string               `toml:"to" json:"to,omitempty"`
	Interval            string               `toml:"interval" json:"interval,omitempty"`
	MaxSignals          int                  `toml:"max_signals" json:"max_signals,omitempty"`
	Enabled             *bool                `toml:"enabled" json:"enabled,omitempty"`
	Version             int                  `toml:"version" json:"version,omitempty"`
	Revision            int                  `toml:"revision" json:"revision,omitempty"`
	BuildingBlockType   string               `toml:"building_block_type" json:"building_block_type,omitempty"`
	Note                string               `toml:"note" json:"note,omitempty"`
	Setup               string               `toml:"setup" json:"setup,omitempty"`
	References          []string             `toml:"references" json:"references,omitempty"`
	FalsePositives      []string             `toml:"false_positives" json:"false_positives,omitempty"`
	InvestigationFields *InvestigationFields `toml:"investigation_fields" json:"investigation_fields,omitempty"`
	RuleNameOverride    string               `toml:"rule_name_override" json:"rule_name_override,omitempty"`
	TimestampOverride   string               `toml:"timestamp_override" json:"timestamp_override,omitempty"`
	// TimestampOverrideFallbackDisabled stops the fallback to @timestamp
	// for events that lack the override field.
	TimestampOverrideFallbackDisabled *bool              `toml:"timestamp_override_fallback_disabled" json:"timestamp_override_fallback_disabled,omitempty"`
	TimelineID                        string             `toml:"timeline_id" json:"timeline_id,omitempty"`
	TimelineTitle                     string             `toml:"timeline_title" json:"timeline_title,omitempty"`
	ExceptionsList                    []ExceptionListRef `toml:"exceptions_list" json:"exceptions_list,omitempty"`
	// Filters are Kibana/Query-DSL filter objects, kept as data.
	Filters             []map[string]any     `toml:"filters" json:"filters,omitempty"`
	Meta                map[string]any       `toml:"meta" json:"meta,omitempty"`
	Actions             []map[string]any     `toml:"actions" json:"actions,omitempty"`
	ResponseActions     []map[string]any     `toml:"response_actions" json:"response_actions,omitempty"`
	Throttle            string               `toml:"throttle" json:"throttle,omitempty"`
	RelatedIntegrations []RelatedIntegration `toml:"related_integrations" json:"related_integrations,omitempty"`
	RequiredFields      []RequiredField      `toml:"required_fields" json:"required_fields,omitempty"`

	// Query-based types (QueryRuleData and subclasses).
	Query            string            `toml:"query" json:"query,omitempty"`
	Language         string            `toml:"language" json:"language,omitempty"`
	Index            []string          `toml:"index" json:"index,omitempty"`
	DataViewID       string            `toml:"data_view_id" json:"data_view_id,omitempty"`
	SavedID          string            `toml:"saved_id" json:"saved_id,omitempty"`
	AlertSuppression *AlertSuppression `toml:"alert_suppression" json:"alert_suppression,omitempty"`

	// EQL (EQLRuleData).
	EventCategoryOverride string `toml:"event_category_override" json:"event_category_override,omitempty"`
	TiebreakerField       string `toml:"tiebreaker_field" json:"tiebreaker_field,omitempty"`
	TimestampField        string `toml:"timestamp_field" json:"timestamp_field,omitempty"`

	// Threshold.
	Threshold *Threshold `toml:"threshold" json:"threshold,omitempty"`

	// New terms. TOML nests them in a table; Kibana's API has two flat
	// fields. The loader fills both forms from whichever was present.
	NewTerms           *NewTerms `toml:"new_terms" json:"-"`
	NewTermsFields     []string  `toml:"-" json:"new_terms_fields,omitempty"`
	HistoryWindowStart string    `toml:"-" json:"history_window_start,omitempty"`

	// Machine learning.
	AnomalyThreshold     *int       `toml:"anomaly_threshold" json:"anomaly_threshold,omitempty"`
	MachineLearningJobID StringList `toml:"machine_learning_job_id" json:"machine_learning_job_id,omitempty"`

	// Indicator match.
	ThreatIndex         []string         `toml:"threat_index" json:"threat_index,omitempty"`
	ThreatQuery         string           `toml:"threat_query" json:"threat_query,omitempty"`
	ThreatLanguage      string           `toml:"threat_language" json:"threat_language,omitempty"`
	ThreatMapping       []ThreatMapping  `toml:"threat_mapping" json:"threat_mapping,omitempty"`
	ThreatFilters       []map[string]any `toml:"threat_filters" json:"threat_filters,omitempty"`
	ThreatIndicatorPath string           `toml:"threat_indicator_path" json:"threat_indicator_path,omitempty"`
	ConcurrentSearches  int              `toml:"concurrent_searches" json:"concurrent_searches,omitempty"`
	ItemsPerSearch      int              `toml:"items_per_search" json:"items_per_search,omitempty"`
}

// StringList is a value that the schema allows as either one string or a
// list of strings (metadata.integration, machine_learning_job_id). It is
// always held as a list.
type StringList []string

// Threat is one MITRE mapping: a tactic and its techniques.
type Threat struct {
	// Framework is "MITRE ATT&CK" or "MITRE ATLAS".
	Framework string            `toml:"framework" json:"framework"`
	Tactic    ThreatTactic      `toml:"tactic" json:"tactic"`
	Technique []ThreatTechnique `toml:"technique" json:"technique,omitempty"`
}

// ThreatTactic is a MITRE tactic such as TA0008 "Lateral Movement".
type ThreatTactic struct {
	ID        string `toml:"id" json:"id"`
	Name      string `toml:"name" json:"name"`
	Reference string `toml:"reference" json:"reference"`
}

// ThreatTechnique is a MITRE technique such as T1021 with its
// sub-techniques.
type ThreatTechnique struct {
	ID           string               `toml:"id" json:"id"`
	Name         string               `toml:"name" json:"name"`
	Reference    string               `toml:"reference" json:"reference"`
	Subtechnique []ThreatSubtechnique `toml:"subtechnique" json:"subtechnique,omitempty"`
}

// ThreatSubtechnique is a MITRE sub-technique such as T1021.006.
type ThreatSubtechnique struct {
	ID        string `toml:"id" json:"id"`
	Name      string `toml:"name" json:"name"`
	Reference string `toml:"reference" json:"reference"`
}

// SeverityMapping sets the alert severity from an event field value.
type SeverityMapping struct {
	Field    string `toml:"field" json:"field"`
	Operator string `toml:"operator" json:"operator"`
	Value    string `toml:"value" json:"value"`
	Severity string `toml:"severity" json:"severity"`
}

// RiskScoreMapping sets the alert risk score from an event field.
type RiskScoreMapping struct {
	Field     string `toml:"field" json:"field"`
	Operator  string `toml:"operator" json:"operator"`
	Value     string `toml:"value" json:"value"`
	RiskScore *int   `toml:"risk_score" json:"risk_score,omitempty"`
}

// ExceptionListRef points a rule at an exception list. Lists are matched by
// ListID and NamespaceType; ID is the list's saved-object id.
type ExceptionListRef struct {
	ID            string `toml:"id" json:"id"`
	ListID        string `toml:"list_id" json:"list_id"`
	NamespaceType string `toml:"namespace_type" json:"namespace_type"`
	Type          string `toml:"type" json:"type"`
}

// InvestigationFields lists the fields the alert flyout highlights.
type InvestigationFields struct {
	FieldNames []string `toml:"field_names" json:"field_names"`
}

// AlertSuppression groups alerts by field values over a time window.
type AlertSuppression struct {
	GroupBy               []string  `toml:"group_by" json:"group_by,omitempty"`
	Duration              *Duration `toml:"duration" json:"duration,omitempty"`
	MissingFieldsStrategy string    `toml:"missing_fields_strategy" json:"missing_fields_strategy,omitempty"`
}

// Duration is a suppression window such as {value: 5, unit: "m"}.
type Duration struct {
	Value int    `toml:"value" json:"value"`
	Unit  string `toml:"unit" json:"unit"`
}

// Threshold is the threshold rule's grouping and count.
type Threshold struct {
	Field       StringList             `toml:"field" json:"field"`
	Value       int                    `toml:"value" json:"value"`
	Cardinality []ThresholdCardinality `toml:"cardinality" json:"cardinality,omitempty"`
}

// ThresholdCardinality requires at least Value distinct values of Field.
type ThresholdCardinality struct {
	Field string `toml:"field" json:"field"`
	Value int    `toml:"value" json:"value"`
}

// NewTerms is the TOML form of a new-terms rule's parameters:
// field = "new_terms_fields", value = [fields], and
// history_window_start = [{field = "history_window_start", value = "now-Nd"}].
type NewTerms struct {
	Field              string          `toml:"field" json:"field"`
	Value              []string        `toml:"value" json:"value"`
	HistoryWindowStart []NewTermsValue `toml:"history_window_start" json:"history_window_start"`
}

// NewTermsValue is one {field, value} pair of NewTerms.HistoryWindowStart.
type NewTermsValue struct {
	Field string `toml:"field" json:"field"`
	Value string `toml:"value" json:"value"`
}

// ThreatMapping is one OR-branch of an indicator-match mapping; its entries
// are ANDed.
type ThreatMapping struct {
	Entries []ThreatMappingEntry `toml:"entries" json:"entries"`
}

// ThreatMappingEntry maps an event field to an indicator field.
type ThreatMappingEntry struct {
	Field  string `toml:"field" json:"field"`
	Type   string `toml:"type" json:"type"`
	Value  string `toml:"value" json:"value"`
	Negate bool   `toml:"negate" json:"negate,omitempty"`
}

// RelatedIntegration is a Fleet package the rule needs (build output).
type RelatedIntegration struct {
	Package     string `toml:"package" json:"package"`
	Version     string `toml:"version" json:"version"`
	Integration string `toml:"integration" json:"integration,omitempty"`
}

// RequiredField is a field the rule's query reads (build output).
type RequiredField struct {
	Name string `toml:"name" json:"name"`
	Type string `toml:"type" json:"type"`
	ECS  bool   `toml:"ecs" json:"ecs"`
}

// Transform is the [transform] table: investigation-guide plugins rendered
// into `note` by detection-rules' build. Upstream names are camelCase here.
type Transform struct {
	Osquery     []OsqueryTransform     `toml:"osquery" json:"osquery,omitempty"`
	Investigate []InvestigateTransform `toml:"investigate" json:"investigate,omitempty"`
}

// OsqueryTransform is one `!{osquery{…}}` placeholder.
type OsqueryTransform struct {
	Label      string         `toml:"label" json:"label"`
	Query      string         `toml:"query" json:"query"`
	ECSMapping map[string]any `toml:"ecs_mapping" json:"ecs_mapping,omitempty"`
}

// InvestigateTransform is one `!{investigate{…}}` placeholder. Providers are
// ORed groups of ANDed query terms.
type InvestigateTransform struct {
	Label        string                  `toml:"label" json:"label"`
	Description  string                  `toml:"description" json:"description,omitempty"`
	Providers    [][]InvestigateProvider `toml:"providers" json:"providers"`
	RelativeFrom string                  `toml:"relativeFrom" json:"relativeFrom,omitempty"`
	RelativeTo   string                  `toml:"relativeTo" json:"relativeTo,omitempty"`
}

// InvestigateProvider is one query term of an investigate transform.
type InvestigateProvider struct {
	Excluded  bool   `toml:"excluded" json:"excluded"`
	Field     string `toml:"field" json:"field"`
	QueryType string `toml:"queryType" json:"queryType"`
	Value     string `toml:"value" json:"value"`
	ValueType string `toml:"valueType" json:"valueType"`
}

// Kibana's defaults for the scheduling fields of a rule.
const (
	DefaultFrom       = "now-6m"
	DefaultTo         = "now"
	DefaultInterval   = "5m"
	DefaultMaxSignals = 100
)

// WithDefaults returns a copy of p with Kibana's defaults filled in where the
// source left a field empty, i.e. the parameters Kibana would store for the
// rule (from, to, interval, max_signals, version).
func (p Params) WithDefaults() Params {
	if p.From == "" {
		p.From = DefaultFrom
	}
	if p.To == "" {
		p.To = DefaultTo
	}
	if p.Interval == "" {
		p.Interval = DefaultInterval
	}
	if p.MaxSignals == 0 {
		p.MaxSignals = DefaultMaxSignals
	}
	if p.Version == 0 {
		p.Version = 1
	}
	return p
}

// uuidNamespace is uuid5(NAMESPACE_URL, "https://github.com/eqld/eqld"),
// the namespace of DerivedUUID.
var uuidNamespace = uuid5(mustUUID("6ba7b811-9dad-11d1-80b4-00c04fd430c8"), "https://github.com/eqld/eqld")

// DerivedUUID returns the stand-in saved-object id of a rule that has none
// (a TOML rule): the name-based UUID (version 5, SHA-1)
// uuid5(uuid5(NAMESPACE_URL, "https://github.com/eqld/eqld"), ruleID).
// It depends only on the rule_id, so alert ids stay stable across runs and
// machines; Python's uuid module reproduces it.
func DerivedUUID(ruleID string) string {
	return formatUUID(uuid5(uuidNamespace, ruleID))
}

func uuid5(ns [16]byte, name string) [16]byte {
	h := sha1.New()
	h.Write(ns[:])
	h.Write([]byte(name))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50 // version 5
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	return u
}

func mustUUID(s string) [16]byte {
	var u [16]byte
	b, err := hex.DecodeString(strings.ReplaceAll(s, "-", ""))
	if err != nil || len(b) != 16 {
		panic("rule: bad UUID constant " + s)
	}
	copy(u[:], b)
	return u
}

func formatUUID(u [16]byte) string {
	h := hex.EncodeToString(u[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
