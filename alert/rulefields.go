package alert

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/eqld/eqld/rule"
)

// ruleFields are the values of an alert that depend only on the rule and
// the Options: computed and encoded once per Builder, then copied into
// every alert as pre-encoded JSON.
type ruleFields struct {
	nextID int

	parameters value // kibana.alert.rule.parameters (snake_case params)
	tags       value

	// The fields buildAlertFields writes from the rule, in its order, with
	// undefined for the ones Kibana leaves undefined.
	ruleKeys []keyed
	meta     []keyed // kibana.alert.rule.meta.* (flattened)
	tail     []keyed // the unmapped convenience copies after meta
}

type keyed struct {
	key string
	val value
}

// raw encodes v once and wraps it as a pre-encoded value with an identity,
// so that the sequence intersection can tell equal rule values apart
// cheaply (two raw values are equal only if they are the same rule field).
func (f *ruleFields) raw(v value) value {
	if v.kind == kindUndefined {
		return v
	}
	f.nextID++
	return value{kind: kindRaw, raw: &rawJSON{json: appendJSON(nil, v), id: f.nextID}}
}

// toValue converts a Go value to the JSON model through encoding/json, so
// that the json tags of package rule decide the field names (Kibana's).
func toValue(x any) (value, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(x); err != nil {
		return value{}, err
	}
	return parseJSON(buf.Bytes())
}

// ruleTime renders a metadata date ("2026/01/05") as the ISO timestamp
// Kibana gives created_at/updated_at, or fallback when it has none.
func ruleTime(date, savedObject string, fallback time.Time) string {
	if savedObject != "" {
		if t, err := time.Parse(time.RFC3339Nano, savedObject); err == nil {
			return isoTime(t)
		}
		return savedObject
	}
	if t, err := time.Parse("2006/01/02", date); err == nil {
		return isoTime(t)
	}
	return isoTime(fallback)
}

// isoTime renders t as JavaScript's Date.prototype.toISOString does:
// UTC with exactly three fractional digits.
func isoTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// buildRuleFields computes everything rule-dependent. The parameter
// object follows Kibana's commonParamsCamelToSnake + typeSpecificCamelToSnake
// (rule_schema/model/…/rule_converters or detection_engine/rule_management
// utils): its keys, order and defaults are the ones a rule created through
// Kibana's API gets (convertCreateAPIToInternalSchema).
func buildRuleFields(r *rule.Rule, opts *Options) (*ruleFields, error) {
	p := r.Params.WithDefaults()
	f := &ruleFields{}

	// A TOML rule is what Elastic's prebuilt-rules package ships: Kibana
	// installs it immutable with an external rule_source. An exported
	// rule says itself.
	prebuilt := r.Source.Format == "toml"
	immutable := p.Immutable || prebuilt
	var ruleSource value
	switch {
	case p.RuleSource != nil:
		v, err := toValue(p.RuleSource)
		if err != nil {
			return nil, fmt.Errorf("rule_source: %w", err)
		}
		ruleSource = v
	case immutable:
		o := newObject(2)
		o.set("type", stringValue("external"))
		o.set("is_customized", boolValue(false))
		ruleSource = objectValue(o)
	default:
		o := newObject(1)
		o.set("type", stringValue("internal"))
		ruleSource = objectValue(o)
	}

	conv := func(name string, x any) (value, error) {
		v, err := toValue(x)
		if err != nil {
			return value{}, fmt.Errorf("rule %s: encoding %s: %w", p.RuleID, name, err)
		}
		return v, nil
	}
	// list returns x as a JSON array, [] for an empty one (Kibana's
	// `input.x ?? []` defaults).
	list := func(name string, x any, n int) (value, error) {
		if n == 0 {
			return arrayValue(nil), nil
		}
		return conv(name, x)
	}
	optString := func(s string) value {
		if s == "" {
			return undefinedValue
		}
		return stringValue(s)
	}
	author, err := list("author", p.Author, len(p.Author))
	if err != nil {
		return nil, err
	}
	falsePositives, err := list("false_positives", p.FalsePositives, len(p.FalsePositives))
	if err != nil {
		return nil, err
	}
	references, err := list("references", p.References, len(p.References))
	if err != nil {
		return nil, err
	}
	threat, err := list("threat", p.Threat, len(p.Threat))
	if err != nil {
		return nil, err
	}
	riskMapping, err := list("risk_score_mapping", p.RiskScoreMapping, len(p.RiskScoreMapping))
	if err != nil {
		return nil, err
	}
	sevMapping, err := list("severity_mapping", p.SeverityMapping, len(p.SeverityMapping))
	if err != nil {
		return nil, err
	}
	exceptions, err := list("exceptions_list", p.ExceptionsList, len(p.ExceptionsList))
	if err != nil {
		return nil, err
	}
	related, err := list("related_integrations", p.RelatedIntegrations, len(p.RelatedIntegrations))
	if err != nil {
		return nil, err
	}
	required, err := list("required_fields", p.RequiredFields, len(p.RequiredFields))
	if err != nil {
		return nil, err
	}
	tags, err := list("tags", p.Tags, len(p.Tags))
	if err != nil {
		return nil, err
	}
	optional := func(name string, x any, present bool) (value, error) {
		if !present {
			return undefinedValue, nil
		}
		return conv(name, x)
	}
	meta, err := optional("meta", p.Meta, p.Meta != nil)
	if err != nil {
		return nil, err
	}
	investigation, err := optional("investigation_fields", p.InvestigationFields, p.InvestigationFields != nil)
	if err != nil {
		return nil, err
	}
	responseActions, err := optional("response_actions", p.ResponseActions, len(p.ResponseActions) > 0)
	if err != nil {
		return nil, err
	}
	filters, err := optional("filters", p.Filters, p.Filters != nil)
	if err != nil {
		return nil, err
	}
	suppression, err := optional("alert_suppression", p.AlertSuppression, p.AlertSuppression != nil)
	if err != nil {
		return nil, err
	}
	var fallbackDisabled value = undefinedValue
	if p.TimestampOverrideFallbackDisabled != nil {
		fallbackDisabled = boolValue(*p.TimestampOverrideFallbackDisabled)
	}
	var index value = undefinedValue
	if p.Index != nil {
		index = stringsValue(p.Index)
	}
	language := p.Language
	if language == "" {
		language = "eql"
	}

	params := newObject(48)
	for _, kv := range []keyed{
		// commonParamsCamelToSnake (output_index is removed by buildAlertFields)
		{"description", stringValue(p.Description)},
		{"risk_score", intValue(p.RiskScore)},
		{"severity", stringValue(p.Severity)},
		{"building_block_type", optString(p.BuildingBlockType)},
		{"namespace", optString(p.Namespace)},
		{"note", optString(p.Note)},
		{"license", optString(p.License)},
		{"timeline_id", optString(p.TimelineID)},
		{"timeline_title", optString(p.TimelineTitle)},
		{"meta", meta},
		{"rule_name_override", optString(p.RuleNameOverride)},
		{"timestamp_override", optString(p.TimestampOverride)},
		{"timestamp_override_fallback_disabled", fallbackDisabled},
		{"investigation_fields", investigation},
		{"author", author},
		{"false_positives", falsePositives},
		{"from", stringValue(p.From)},
		{"rule_id", stringValue(p.RuleID)},
		{"max_signals", intValue(p.MaxSignals)},
		{"risk_score_mapping", riskMapping},
		{"severity_mapping", sevMapping},
		{"threat", threat},
		{"to", stringValue(p.To)},
		{"references", references},
		{"version", intValue(p.Version)},
		{"exceptions_list", exceptions},
		{"immutable", boolValue(immutable)},
		{"rule_source", ruleSource},
		{"related_integrations", related},
		{"required_fields", required},
		{"response_actions", responseActions},
		{"setup", stringValue(p.Setup)},
		// typeSpecificCamelToSnake, case "eql"
		{"type", stringValue(p.Type)},
		{"language", stringValue(language)},
		{"index", index},
		{"data_view_id", optString(p.DataViewID)},
		{"query", stringValue(p.Query)},
		{"filters", filters},
		{"timestamp_field", optString(p.TimestampField)},
		{"event_category_override", optString(p.EventCategoryOverride)},
		{"tiebreaker_field", optString(p.TiebreakerField)},
		{"alert_suppression", suppression},
	} {
		params.set(kv.key, kv.val)
	}
	f.parameters = f.raw(objectValue(params))
	f.tags = f.raw(tags)

	enabled := true
	if p.Enabled != nil {
		enabled = *p.Enabled
	}
	indices := opts.Indices
	if indices == nil {
		indices = p.Index
	}
	throttle := undefinedValue
	if p.Throttle != "" {
		throttle = stringValue(p.Throttle)
	}
	actions := arrayValue(nil)
	if len(p.Actions) > 0 {
		if actions, err = conv("actions", p.Actions); err != nil {
			return nil, err
		}
	}
	bbt := optString(p.BuildingBlockType)

	// buildAlertFields (factories/utils/build_alert.ts): the rule fields in
	// the order that function writes them; severity, risk score and name
	// are per-alert (overrides) and set by the caller.
	for _, kv := range []keyed{
		{keyRuleActions, actions},
		{"kibana.alert.rule.author", author},
		{"kibana.alert.rule.created_at", stringValue(ruleTime(r.Metadata.CreationDate, p.CreatedAt, opts.Now))},
		{"kibana.alert.rule.created_by", stringValue(p.CreatedBy)},
		{"kibana.alert.rule.description", stringValue(p.Description)},
		{"kibana.alert.rule.enabled", boolValue(enabled)},
		{"kibana.alert.rule.exceptions_list", exceptions},
		{"kibana.alert.rule.false_positives", falsePositives},
		{"kibana.alert.rule.from", stringValue(p.From)},
		{"kibana.alert.rule.immutable", boolValue(immutable)},
		{"kibana.alert.rule.interval", stringValue(p.Interval)},
		{"kibana.alert.rule.indices", stringsValue(indices)},
		{"kibana.alert.rule.license", optString(p.License)},
		{"kibana.alert.rule.max_signals", intValue(p.MaxSignals)},
		{keyRuleName, undefinedValue}, // per alert
		{"kibana.alert.rule.namespace", optString(p.Namespace)},
		{"kibana.alert.rule.note", optString(p.Note)},
		{"kibana.alert.rule.references", references},
		{"kibana.alert.rule.risk_score_mapping", riskMapping},
		{"kibana.alert.rule.rule_id", stringValue(p.RuleID)},
		{"kibana.alert.rule.rule_name_override", optString(p.RuleNameOverride)},
		{"kibana.alert.rule.severity_mapping", sevMapping},
		{keyRuleTags, tags},
		{"kibana.alert.rule.threat", threat},
		{"kibana.alert.rule.throttle", throttle},
		{"kibana.alert.rule.timeline_id", optString(p.TimelineID)},
		{"kibana.alert.rule.timeline_title", optString(p.TimelineTitle)},
		{"kibana.alert.rule.timestamp_override", optString(p.TimestampOverride)},
		{"kibana.alert.rule.to", stringValue(p.To)},
		{"kibana.alert.rule.type", stringValue(p.Type)},
		{"kibana.alert.rule.updated_at", stringValue(ruleTime(r.Metadata.UpdatedDate, p.UpdatedAt, opts.Now))},
		{"kibana.alert.rule.updated_by", stringValue(p.UpdatedBy)},
		{keyRuleUUID, stringValue(r.UUID)},
		{"kibana.alert.rule.version", intValue(p.Version)},
	} {
		if kv.key == keyRuleName {
			f.ruleKeys = append(f.ruleKeys, kv)
			continue
		}
		f.ruleKeys = append(f.ruleKeys, keyed{kv.key, f.raw(kv.val)})
	}
	if meta.kind == kindObject {
		for _, kv := range flattenWithPrefix("kibana.alert.rule.meta", meta, nil) {
			f.meta = append(f.meta, keyed{kv.key, f.raw(kv.val)})
		}
	}
	f.tail = []keyed{
		// "These fields don't exist in the mappings, but leaving them for
		// now to match the old schema" (build_alert.ts).
		{"kibana.alert.rule.risk_score", f.raw(intValue(p.RiskScore))},
		{"kibana.alert.rule.severity", f.raw(stringValue(p.Severity))},
		{"kibana.alert.rule.building_block_type", f.raw(bbt)},
	}
	return f, nil
}

// flattenWithPrefix is Kibana's flattenWithPrefix: nested plain objects
// become dotted keys under prefix; arrays and scalars are leaves.
func flattenWithPrefix(prefix string, v value, out []keyed) []keyed {
	if v.kind != kindObject {
		return append(out, keyed{prefix, v})
	}
	for i, k := range v.obj.keys {
		out = flattenWithPrefix(prefix+"."+k, v.obj.vals[i], out)
	}
	return out
}

// alertsIndex is the space's alerts index alias that alert URLs point to.
func alertsIndex(space string) string { return ".alerts-security.alerts-" + space }

// alertURL is getAlertDetailsUrl (common/utils/alert_detail_path.ts): the
// alert redirect page of the Security app, or undefined without a base URL.
func (b *Builder) alertURL(id, timestamp string) value {
	if b.opts.URLBase == "" {
		return undefinedValue
	}
	base := strings.TrimRight(b.opts.URLBase, "/")
	if b.opts.SpaceID != DefaultSpaceID {
		base += "/s/" + b.opts.SpaceID
	}
	return stringValue(base + "/app/security/alerts/redirect/" + id +
		"?index=" + alertsIndex(b.opts.SpaceID) + "&timestamp=" + timestamp)
}
