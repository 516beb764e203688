package alert

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/eqld/eqld/rule"
)

// Defaults for Options.
const (
	DefaultSpaceID       = "default"
	DefaultKibanaVersion = "9.5.0"
)

// Constants Kibana writes on every EQL alert (create_eql_alert_type.ts and
// the alerting framework's rule type registration).
const (
	RuleTypeID   = "siem.eqlRule"
	RuleCategory = "Event Correlation Rule"
	Producer     = "siem"
)

// ErrOwnAlert is returned (wrapped) when an event is itself an alert of the
// rule, or descends from one: Kibana drops such events so that a rule never
// alerts on its own alerts (filterDuplicateSignals, kibana#82868). It is not
// a failure; callers count it and go on.
var ErrOwnAlert = errors.New("event is an alert of this rule (alert-on-own-alert loop protection)")

// Event is a source document that produced an alert: one EQL hit.
type Event struct {
	// Index, ID and Version are the hit's _index, _id and _version.
	// Version "" means the hit had none; Kibana then hashes
	// String(undefined), i.e. "undefined" (detection-engine.md §2.5).
	Index, ID, Version string
	// Source is the _source JSON object. It is not retained.
	Source []byte
}

// Options are the per-run values of the alerts a Builder writes.
type Options struct {
	// SpaceID is the Kibana space (kibana.space_ids, part of every event
	// alert id). Default "default".
	SpaceID string
	// Now is the execution time: @timestamp, kibana.alert.start,
	// kibana.alert.last_detected and kibana.alert.rule.execution.timestamp.
	// Zero means time.Now() when the Builder is made.
	Now time.Time
	// IntendedTimestamp is kibana.alert.intended_timestamp; zero means Now
	// (a scheduled run). A manual run (gap fill) sets it to the time the
	// run stands for, together with ExecutionType "manual".
	IntendedTimestamp time.Time
	// ExecutionType is kibana.alert.rule.execution.type: "scheduled"
	// (default) or "manual".
	ExecutionType string
	// ExecutionUUID is kibana.alert.rule.execution.uuid; left out when "".
	ExecutionUUID string
	// KibanaVersion is kibana.version. Default DefaultKibanaVersion.
	KibanaVersion string
	// Indices is kibana.alert.rule.indices, the index patterns queried;
	// nil means the rule's index patterns.
	Indices []string
	// URLBase is Kibana's public base URL (for example
	// "https://kibana.example:5601"); when set, alerts carry kibana.alert.url.
	URLBase string
	// MissingEventContext makes the shell alert of a sequence with
	// missing-event placeholders keep the fields common to the events that
	// are present. Off by default: Kibana intersects with the placeholders'
	// empty documents, which leaves the shell without context (kibana#168708).
	MissingEventContext bool
}

// Builder turns EQL hits of one rule into Kibana alert documents. Every
// rule-dependent field is computed once in NewBuilder. A Builder is safe
// for concurrent use: building an alert only reads it.
type Builder struct {
	rule  *rule.Rule
	opts  Options
	now   string
	fixed ruleFieldsAndRun
	// keyCache holds derived field names (original_event keys).
	keyCache sync.Map
}

// ruleFieldsAndRun are the pre-encoded values shared by all alerts.
type ruleFieldsAndRun struct {
	*ruleFields
	prefix       []keyed // augmentAlerts + getCommonAlertFields, in order
	timestamp    value
	intended     value
	execType     value
	spaceIDs     value
	ruleName     value
	severity     value
	riskScore    value
	ruleUUID     value
	signal       value
	active       value
	open         value
	consumer     value
	emptyList    value
	defaultBlock value
}

// NewBuilder prepares the alert fields of rule r. The rule must be an EQL
// rule with a saved-object id (r.UUID; the loaders always set one).
func NewBuilder(r *rule.Rule, opts Options) (*Builder, error) {
	if r == nil {
		return nil, errors.New("alert: nil rule")
	}
	if r.Type != "eql" {
		return nil, fmt.Errorf("alert: rule %s (%q) is of type %q; only eql rules are supported", r.RuleID, r.Name, r.Type)
	}
	if r.UUID == "" {
		return nil, fmt.Errorf("alert: rule %s (%q) has no saved-object id (rule.UUID)", r.RuleID, r.Name)
	}
	if opts.SpaceID == "" {
		opts.SpaceID = DefaultSpaceID
	}
	if opts.KibanaVersion == "" {
		opts.KibanaVersion = DefaultKibanaVersion
	}
	if opts.ExecutionType == "" {
		opts.ExecutionType = "scheduled"
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if opts.IntendedTimestamp.IsZero() {
		opts.IntendedTimestamp = opts.Now
	}
	rf, err := buildRuleFields(r, &opts)
	if err != nil {
		return nil, fmt.Errorf("alert: %w", err)
	}
	b := &Builder{rule: r, opts: opts, now: isoTime(opts.Now)}
	f := &b.fixed
	f.ruleFields = rf
	f.timestamp = rf.raw(stringValue(b.now))
	f.intended = rf.raw(stringValue(isoTime(opts.IntendedTimestamp)))
	f.execType = rf.raw(stringValue(opts.ExecutionType))
	f.spaceIDs = rf.raw(stringsValue([]string{opts.SpaceID}))
	f.ruleName = stringValue(r.Name)
	f.severity = stringValue(r.Severity)
	f.riskScore = intValue(r.RiskScore)
	f.ruleUUID = rf.raw(stringValue(r.UUID))
	f.signal = rf.raw(stringValue("signal"))
	f.active = rf.raw(stringValue("active"))
	f.open = rf.raw(stringValue("open"))
	f.consumer = rf.raw(stringValue(Producer))
	f.emptyList = arrayValue(nil)
	f.defaultBlock = stringValue("default")
	execUUID := undefinedValue
	if opts.ExecutionUUID != "" {
		execUUID = stringValue(opts.ExecutionUUID)
	}
	// augmentAlerts (rule_registry/server/utils/create_persistence_rule_type_wrapper.ts)
	// spreads these before the alert's own fields, so they come first in
	// every document; the alert's values replace them in place.
	f.prefix = []keyed{
		{"kibana.alert.rule.execution.timestamp", f.timestamp},
		{"kibana.alert.start", f.timestamp},
		{"kibana.alert.last_detected", f.timestamp},
		{keyIntendedTimestamp, f.intended},
		{"kibana.version", rf.raw(stringValue(opts.KibanaVersion))},
		{keyRuleParameters, rf.parameters},
		{"kibana.alert.rule.category", rf.raw(stringValue(RuleCategory))},
		{keyRuleConsumer, f.consumer},
		{"kibana.alert.rule.execution.uuid", rf.raw(execUUID)},
		{keyRuleName, f.ruleName},
		{"kibana.alert.rule.producer", rf.raw(stringValue(Producer))},
		{"kibana.alert.rule.revision", rf.raw(intValue(r.Revision))},
		{"kibana.alert.rule.rule_type_id", rf.raw(stringValue(RuleTypeID))},
		{keyRuleUUID, f.ruleUUID},
		{keySpaceIDs, f.spaceIDs},
		{keyRuleTags, rf.tags},
	}
	return b, nil
}

// Rule returns the rule the Builder writes alerts for.
func (b *Builder) Rule() *rule.Rule { return b.rule }

// Options returns the options in force, defaults filled in.
func (b *Builder) Options() Options { return b.opts }

// Field names used more than once.
const (
	keyTimestamp         = "@timestamp"
	keyEventKind         = "event.kind"
	keyAncestors         = "kibana.alert.ancestors"
	keyDepth             = "kibana.alert.depth"
	keyUUID              = "kibana.alert.uuid"
	keyURL               = "kibana.alert.url"
	keyReason            = "kibana.alert.reason"
	keyOriginalTime      = "kibana.alert.original_time"
	keyBuildingBlockType = "kibana.alert.building_block_type"
	keyGroupID           = "kibana.alert.group.id"
	keyGroupIndex        = "kibana.alert.group.index"
	keySeverity          = "kibana.alert.severity"
	keyRiskScore         = "kibana.alert.risk_score"
	keyIntendedTimestamp = "kibana.alert.intended_timestamp"
	keyRuleParameters    = "kibana.alert.rule.parameters"
	keyRuleConsumer      = "kibana.alert.rule.consumer"
	keyRuleName          = "kibana.alert.rule.name"
	keyRuleUUID          = "kibana.alert.rule.uuid"
	keyRuleTags          = "kibana.alert.rule.tags"
	keyRuleActions       = "kibana.alert.rule.actions"
	keySpaceIDs          = "kibana.space_ids"
	originalEventPrefix  = "kibana.alert.original_event."
)

// Alert is one alert document with the facts sinks need about it.
type Alert struct {
	// ID is the document _id, equal to kibana.alert.uuid.
	ID string
	// Doc is the document (_source) as Kibana writes it.
	Doc Doc

	// IsShell marks the alert that stands for a whole sequence;
	// IsBuildingBlock marks the per-event alerts of a sequence (and every
	// alert of a building-block rule has BuildingBlockType set in Doc).
	IsShell, IsBuildingBlock bool
	// GroupID is kibana.alert.group.id (sequences only); GroupIndex is
	// kibana.alert.group.index for building blocks, -1 otherwise.
	GroupID    string
	GroupIndex int

	// Severity, RiskScore and RuleName are the alert's values, after the
	// rule's overrides for single-event alerts. Risk scores are numbers in
	// Kibana: a risk_score_mapping can give 73.5.
	Severity  string
	RiskScore float64
	RuleName  string
	// RuleID is the rule's rule_id, RuleUUID its saved-object id.
	RuleID, RuleUUID string
	// Rule is the rule that produced the alert.
	Rule *rule.Rule

	// Timestamp is the alert's @timestamp (the execution time).
	Timestamp time.Time
	// OriginalTime is kibana.alert.original_time; zero when absent. For a
	// shell alert Kibana takes it from the first building block's
	// @timestamp, i.e. the execution time.
	OriginalTime time.Time
	// EventTime is when the detected activity happened: the event's
	// @timestamp; for a shell, the first present event's. Zero if unknown.
	EventTime time.Time
	// Reason is kibana.alert.reason.
	Reason string

	// Host, User, Process and CommandLine summarise the event for tables
	// and timelines: host.name, user.name, process.name and
	// process.command_line (process.args joined when it has none). For a
	// shell they are the values common to the sequence, falling back to
	// the latest event that has them.
	Host, User, Process, CommandLine string
}

// AppendJSON appends the alert document as one line of compact JSON.
func (a *Alert) AppendJSON(dst []byte) []byte { return a.Doc.AppendJSON(dst) }

// MarshalJSON returns the alert document.
func (a *Alert) MarshalJSON() ([]byte, error) { return a.Doc.AppendJSON(nil), nil }

// Doc is an alert document: an ordered JSON object. Top-level kibana.alert.*
// fields are flattened dotted keys ("kibana.alert.rule.name") as in Kibana's
// alerts-as-data documents; source fields keep their shape, except the
// source's event object, which Kibana flattens into event.* keys.
type Doc struct{ o *object }

// Keys returns the top-level keys in document order (keys whose value is
// undefined, which JSON.stringify leaves out, are not listed).
func (d Doc) Keys() []string {
	if d.o == nil {
		return nil
	}
	keys := make([]string, 0, len(d.o.keys))
	for i, k := range d.o.keys {
		if d.o.vals[i].kind != kindUndefined {
			keys = append(keys, k)
		}
	}
	return keys
}

// Get returns the JSON of the top-level field key.
func (d Doc) Get(key string) (json.RawMessage, bool) {
	if d.o == nil {
		return nil, false
	}
	v, ok := d.o.get(key)
	if !ok || v.kind == kindUndefined {
		return nil, false
	}
	return appendJSON(nil, v), true
}

// Lookup returns the JSON at a dotted path, resolved as lodash's get does
// (the whole path as a key first, then nested objects).
func (d Doc) Lookup(path string) (json.RawMessage, bool) {
	if d.o == nil {
		return nil, false
	}
	v := lodashGet(objectValue(d.o), path)
	if v.kind == kindUndefined {
		return nil, false
	}
	return appendJSON(nil, v), true
}

// AppendJSON appends the document as compact JSON.
func (d Doc) AppendJSON(dst []byte) []byte {
	if d.o == nil {
		return append(dst, "{}"...)
	}
	return appendObject(dst, d.o)
}

// hit is a parsed EQL hit.
type hit struct {
	index, id, version string
	src                *object
	missing            bool
}

func parseHit(ev *Event) (hit, error) {
	if ev == nil {
		// An ES missing-event placeholder: {_index:"", _id:"", _source:{}, missing:true}.
		return hit{src: newObject(0), missing: true}, nil
	}
	v, err := parseJSON(ev.Source)
	if err != nil {
		return hit{}, fmt.Errorf("event %s/%s: %w", ev.Index, ev.ID, err)
	}
	if v.kind != kindObject {
		return hit{}, fmt.Errorf("event %s/%s: _source is not a JSON object", ev.Index, ev.ID)
	}
	return hit{index: ev.Index, id: ev.ID, version: ev.Version, src: v.obj}, nil
}

// ancestor is one kibana.alert.ancestors entry.
type ancestor struct {
	val       value // the entry as written
	id, index string
	rule      string
	depth     int
}

func newAncestor(id, typ, index string, depth int, ruleUUID string) ancestor {
	// buildParent (factories/utils/build_alert.ts): {id, type, index, depth, rule?}.
	o := newObject(5)
	o.set("id", stringValue(id))
	o.set("type", stringValue(typ))
	o.set("index", stringValue(index))
	o.set("depth", intValue(depth))
	if typ == "signal" {
		o.set("rule", stringValue(ruleUUID))
	}
	return ancestor{val: objectValue(o), id: id, index: index, rule: ruleUUID, depth: depth}
}

// ancestorsOf is buildAncestors: the hit's own ancestors when it is an
// alert (it has kibana.alert.uuid), then the hit itself as parent.
func ancestorsOf(h hit) ([]ancestor, ancestor) {
	src := objectValue(h.src)
	if uuid, ok := h.src.get(keyUUID); !ok || uuid.kind == kindNull || uuid.kind == kindUndefined {
		p := newAncestor(h.id, "event", h.index, 0, "")
		return []ancestor{p}, p
	}
	depth := 1
	if d := lodashGet(src, keyDepth); d.kind == kindNumber {
		depth = int(d.n)
	}
	// parent.rule = getField(doc, ALERT_RULE_UUID), undefined when absent.
	ruleUUID := lodashGet(src, keyRuleUUID)
	p := newAncestor(h.id, "signal", h.index, depth, "")
	p.val.obj.set("rule", ruleUUID)
	p.rule = ""
	if ruleUUID.kind != kindUndefined {
		p.rule = jsString(ruleUUID)
	}
	var out []ancestor
	if existing := lodashGet(src, keyAncestors); existing.kind == kindArray {
		for _, e := range existing.arr {
			a := ancestor{val: e, id: jsString(lodashGet(e, "id")), index: jsString(lodashGet(e, "index"))}
			if r := lodashGet(e, "rule"); r.kind != kindUndefined {
				a.rule = jsString(r)
			}
			out = append(out, a)
		}
	}
	return append(out, p), p
}

func ancestorValues(as []ancestor) value {
	a := make([]value, len(as))
	for i, x := range as {
		a[i] = x.val
	}
	return arrayValue(a)
}

func hasRule(as []ancestor, ruleUUID string) bool {
	for _, a := range as {
		if a.rule == ruleUUID {
			return true
		}
	}
	return false
}

// eventAlertID is generateId (detection_engine/rule_types/utils/utils.ts),
// called from wrapHitsFactory (factories/wrap_hits_factory.ts) as
// generateId(event._index, event._id, String(event._version),
// `${spaceId}:${completeRule.alertId}`):
//
//	sha256_hex(_index + _id + String(_version) + spaceId + ":" + ruleSavedObjectId)
func eventAlertID(index, id, version, space, ruleUUID string) string {
	if version == "" {
		version = "undefined" // String(undefined)
	}
	h := sha256.New()
	h.Write([]byte(index))
	h.Write([]byte(id))
	h.Write([]byte(version))
	h.Write([]byte(space))
	h.Write([]byte{':'})
	h.Write([]byte(ruleUUID))
	return hex.EncodeToString(h.Sum(nil))
}

// buildingBlockIDs is generateBuildingBlockIds
// (factories/utils/generate_building_block_ids.ts):
//
//	base = Σ_blocks ( Σ_block.ancestors (ancestor.id + ancestor.index) + block[kibana.alert.rule.uuid] )
//	id_i = sha256_hex(base + String(i))
func buildingBlockIDs(blocks [][]ancestor, ruleUUID string) []string {
	var base strings.Builder
	for _, as := range blocks {
		for _, a := range as {
			base.WriteString(a.id)
			base.WriteString(a.index)
		}
		base.WriteString(ruleUUID)
	}
	ids := make([]string, len(blocks))
	for i := range blocks {
		sum := sha256.Sum256([]byte(base.String() + fmt.Sprint(i)))
		ids[i] = hex.EncodeToString(sum[:])
	}
	return ids
}

// shellID is generateAlertId (eql/build_alert_group_from_sequence.ts):
//
//	sha256_hex( Σ_shell.ancestors (ancestor.id + ancestor.index) + shell[kibana.alert.rule.uuid] )
func shellID(as []ancestor, ruleUUID string) string {
	h := sha256.New()
	for _, a := range as {
		h.Write([]byte(a.id))
		h.Write([]byte(a.index))
	}
	h.Write([]byte(ruleUUID))
	return hex.EncodeToString(h.Sum(nil))
}

// alertArgs are the per-alert inputs of buildAlertFields.
type alertArgs struct {
	id           string
	ancestors    []ancestor
	depth        int
	reason       string
	originalTime string // "" when undefined
	severity     value
	riskScore    value
	name         value
}

// alertFieldCount is about how many fields buildAlertFields and the
// sequence code add to a document, for sizing it once.
const alertFieldCount = 72

// newDoc starts a document with the fields augmentAlerts puts first.
// sourceFields is how many source fields will be added.
func (b *Builder) newDoc(sourceFields int) *object {
	n := sourceFields + len(b.fixed.prefix) + len(b.fixed.meta) + alertFieldCount
	o := newObject(n)
	o.index = make(map[string]int, n)
	for _, kv := range b.fixed.prefix {
		o.set(kv.key, kv.val)
	}
	return o
}

// source is a hit's _source with its event object flattened once.
type source struct {
	obj    *object
	events []keyed // the event object as event.* fields (buildEventTypeAlert)
}

func newSource(o *object) source {
	s := source{obj: o}
	if ev, ok := o.get("event"); ok && ev.kind == kindObject {
		s.events = flattenWithPrefix("event", ev, make([]keyed, 0, 16))
	}
	return s
}

// fieldCount is how many fields the source adds to an alert document:
// its own, the flattened event fields and their original_event copies.
func (s source) fieldCount() int { return s.obj.len() + 2*len(s.events) }

// setSource copies the source document the way transformHitToAlert
// (factories/utils/transform_hit_to_alert.ts, formerly build_bulk_body.ts)
// does: the source without its event and threshold_result objects
// (filterSource), then the event object flattened into event.* keys
// (buildEventTypeAlert).
func setSource(o *object, src source) {
	for i, k := range src.obj.keys {
		if k == "event" || k == "threshold_result" {
			continue
		}
		o.set(k, src.obj.vals[i])
	}
	for _, kv := range src.events {
		o.set(kv.key, kv.val)
	}
}

// setOriginalEvent adds kibana.alert.original_event.* for every event.*
// field of the source (additionalAlertFields): source keys that already
// start with "event." and the flattened event object. The source's
// event.kind is kept here while the alert's own event.kind is "signal".
func (b *Builder) setOriginalEvent(o *object, src source) {
	for i, k := range src.obj.keys {
		if strings.HasPrefix(k, "event.") {
			o.set(b.originalEventKey(k), src.obj.vals[i])
		}
	}
	for _, kv := range src.events {
		o.set(b.originalEventKey(kv.key), kv.val)
	}
}

// originalEventKey maps "event.x" to "kibana.alert.original_event.x",
// remembering the few distinct keys so that alerts do not allocate them.
func (b *Builder) originalEventKey(k string) string {
	if v, ok := b.keyCache.Load(k); ok {
		return v.(string)
	}
	v := originalEventPrefix + k[len("event."):]
	b.keyCache.Store(k, v)
	return v
}

// setAlertFields writes buildAlertFields (factories/utils/build_alert.ts)
// in its order.
func (b *Builder) setAlertFields(o *object, a *alertArgs) {
	f := &b.fixed
	o.set(keyTimestamp, f.timestamp)
	o.set(keySpaceIDs, f.spaceIDs)
	o.set(keyEventKind, f.signal)
	if a.originalTime != "" {
		o.set(keyOriginalTime, stringValue(a.originalTime))
	} else {
		o.set(keyOriginalTime, undefinedValue)
	}
	o.set(keyRuleConsumer, f.consumer)
	o.set(keyAncestors, ancestorValues(a.ancestors))
	o.set("kibana.alert.status", f.active)
	o.set("kibana.alert.workflow_status", f.open)
	o.set(keyDepth, intValue(a.depth))
	o.set(keyReason, stringValue(a.reason))
	if b.rule.BuildingBlockType != "" {
		o.set(keyBuildingBlockType, stringValue(b.rule.BuildingBlockType))
	} else {
		o.set(keyBuildingBlockType, undefinedValue)
	}
	o.set(keySeverity, a.severity)
	o.set(keyRiskScore, a.riskScore)
	o.set(keyRuleParameters, f.parameters)
	for _, kv := range f.ruleKeys {
		if kv.key == keyRuleName {
			o.set(keyRuleName, a.name)
			continue
		}
		o.set(kv.key, kv.val)
	}
	o.set(keyURL, b.alertURL(a.id, b.now))
	o.set(keyUUID, stringValue(a.id))
	o.set("kibana.alert.workflow_tags", f.emptyList)
	o.set("kibana.alert.workflow_assignee_ids", f.emptyList)
	for _, kv := range f.meta {
		o.set(kv.key, kv.val)
	}
	for _, kv := range f.tail {
		o.set(kv.key, kv.val)
	}
	o.set("kibana.alert.rule.execution.type", f.execType)
	o.set(keyIntendedTimestamp, f.intended)
}

// EventAlert builds the alert of a non-sequence EQL hit (wrapHits →
// transformHitToAlert with overrides applied). It returns an error wrapping
// ErrOwnAlert when the event is an alert of this very rule.
func (b *Builder) EventAlert(ev Event) (*Alert, error) {
	h, err := parseHit(&ev)
	if err != nil {
		return nil, fmt.Errorf("alert: rule %s: %w", b.rule.RuleID, err)
	}
	ancestors, parent := ancestorsOf(h)
	if hasRule(ancestors, b.rule.UUID) {
		return nil, fmt.Errorf("alert: rule %s: event %s/%s: %w", b.rule.RuleID, ev.Index, ev.ID, ErrOwnAlert)
	}
	srcVal := objectValue(h.src)
	name := overrideName(srcVal, b.rule.Name, b.rule.RuleNameOverride)
	severity := overrideSeverity(srcVal, b.rule.Severity, b.rule.SeverityMapping)
	risk, riskOverridden := overrideRiskScore(srcVal, b.rule.RiskScoreMapping)
	riskVal := b.fixed.riskScore
	riskNum := float64(b.rule.RiskScore)
	if riskOverridden {
		riskVal, riskNum = numberValue(risk), risk
	}
	args := alertArgs{
		id:           eventAlertID(h.index, h.id, h.version, b.opts.SpaceID, b.rule.UUID),
		ancestors:    ancestors,
		depth:        parent.depth + 1,
		reason:       reasonMessage(name, severity, fieldsGetter(h.src)),
		originalTime: originalTime(h.src),
		severity:     stringValue(severity),
		riskScore:    riskVal,
		name:         stringValue(name),
	}
	src := newSource(h.src)
	o := b.newDoc(src.fieldCount())
	setSource(o, src)
	b.setAlertFields(o, &args)
	b.setOriginalEvent(o, src)

	a := b.newAlert(args.id, o, &args)
	a.Severity, a.RiskScore, a.RuleName = severity, riskNum, name
	a.EventTime = eventTime(h.src)
	a.Host, a.User, a.Process, a.CommandLine = contextOf(h.src)
	return a, nil
}

func (b *Builder) newAlert(id string, o *object, args *alertArgs) *Alert {
	a := &Alert{
		ID:         id,
		Doc:        Doc{o},
		GroupIndex: -1,
		Severity:   b.rule.Severity,
		RiskScore:  float64(b.rule.RiskScore),
		RuleName:   b.rule.Name,
		RuleID:     b.rule.RuleID,
		RuleUUID:   b.rule.UUID,
		Rule:       b.rule,
		Timestamp:  b.opts.Now,
		Reason:     args.reason,
	}
	if args.originalTime != "" {
		a.OriginalTime, _ = time.Parse(time.RFC3339Nano, args.originalTime)
	}
	return a
}

// SequenceAlerts builds the alerts of one EQL sequence
// (buildAlertGroupFromSequence): the shell alert first, then one building
// block per event in sequence order. A nil event is a missing-event
// placeholder (a `![…]` stage); it gets a building block with an empty
// source, as in Kibana. It returns an error wrapping ErrOwnAlert when any
// event is, or descends from, an alert of this rule.
func (b *Builder) SequenceAlerts(evs []*Event) ([]*Alert, error) {
	if len(evs) == 0 {
		return nil, fmt.Errorf("alert: rule %s: empty sequence", b.rule.RuleID)
	}
	hits := make([]hit, len(evs))
	blockAncestors := make([][]ancestor, len(evs))
	parents := make([]ancestor, len(evs))
	for i, ev := range evs {
		h, err := parseHit(ev)
		if err != nil {
			return nil, fmt.Errorf("alert: rule %s: sequence event %d: %w", b.rule.RuleID, i, err)
		}
		hits[i] = h
		blockAncestors[i], parents[i] = ancestorsOf(h)
		if hasRule(blockAncestors[i], b.rule.UUID) {
			return nil, fmt.Errorf("alert: rule %s: sequence event %d (%s/%s): %w", b.rule.RuleID, i, h.index, h.id, ErrOwnAlert)
		}
	}
	ids := buildingBlockIDs(blockAncestors, b.rule.UUID)

	// The building blocks as transformHitToAlert makes them, without
	// overrides (kibana#120521: overrides do not apply to sequences).
	blocks := make([]*object, len(hits))
	blockArgs := make([]alertArgs, len(hits))
	for i, h := range hits {
		blockArgs[i] = alertArgs{
			id:           ids[i],
			ancestors:    blockAncestors[i],
			depth:        parents[i].depth + 1,
			reason:       reasonMessage(b.rule.Name, b.rule.Severity, fieldsGetter(h.src)),
			originalTime: originalTime(h.src),
			severity:     b.fixed.severity,
			riskScore:    b.fixed.riskScore,
			name:         b.fixed.ruleName,
		}
		src := newSource(h.src)
		o := b.newDoc(src.fieldCount())
		setSource(o, src)
		b.setAlertFields(o, &blockArgs[i])
		b.setOriginalEvent(o, src)
		blocks[i] = o
	}

	// The shell (buildAlertRoot): the fields common to all building blocks,
	// then buildAlertFields over the blocks.
	var common []*object
	for i, o := range blocks {
		if b.opts.MissingEventContext && hits[i].missing {
			continue
		}
		common = append(common, o)
	}
	merged := objectArrayIntersection(common)
	var shellAncestors []ancestor
	depth := 0
	for i := range blocks {
		shellAncestors = append(shellAncestors, blockAncestors[i]...)
		d := blockArgs[i].depth
		shellAncestors = append(shellAncestors, newAncestor(ids[i], "signal", "", d, b.rule.UUID))
		depth = max(depth, d)
	}
	sid := shellID(shellAncestors, b.rule.UUID)
	shellArgs := alertArgs{
		id:        sid,
		ancestors: shellAncestors,
		depth:     depth + 1,
		reason:    reasonMessage(b.rule.Name, b.rule.Severity, lodashGetter(merged)),
		// getValidDateFromDoc(docs[0]): the first building block's
		// @timestamp, which is the execution time.
		originalTime: b.now,
		severity:     b.fixed.severity,
		riskScore:    b.fixed.riskScore,
		name:         b.fixed.ruleName,
	}
	so := b.newDoc(merged.len())
	for i, k := range merged.keys {
		so.set(k, merged.vals[i])
	}
	b.setAlertFields(so, &shellArgs)
	so.set(keyUUID, stringValue(sid))
	so.set(keyGroupID, stringValue(sid))
	so.set(keyURL, b.alertURL(sid, b.now))

	shell := b.newAlert(sid, so, &shellArgs)
	shell.IsShell = true
	shell.GroupID = sid
	out := make([]*Alert, 0, len(blocks)+1)
	out = append(out, shell)
	var lastPresent *object
	for i, o := range blocks {
		// The group fields are added after the shell exists.
		o.set(keyBuildingBlockType, b.fixed.defaultBlock)
		o.set(keyGroupID, stringValue(sid))
		o.set(keyGroupIndex, intValue(i))
		o.set(keyURL, b.alertURL(ids[i], b.now))
		a := b.newAlert(ids[i], o, &blockArgs[i])
		a.IsBuildingBlock = true
		a.GroupID = sid
		a.GroupIndex = i
		if !hits[i].missing {
			a.EventTime = eventTime(hits[i].src)
			a.Host, a.User, a.Process, a.CommandLine = contextOf(hits[i].src)
			if shell.EventTime.IsZero() {
				shell.EventTime = a.EventTime
			}
			lastPresent = hits[i].src
		}
		out = append(out, a)
	}
	shell.Host, shell.User, shell.Process, shell.CommandLine = shellContext(merged, lastPresent)
	return out, nil
}
