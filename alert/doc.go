// Package alert writes the alert documents Kibana's detection engine writes
// for an EQL rule, so that eqld's output can be indexed into
// .alerts-security.alerts-<space> as if Kibana had produced it.
//
// A Builder holds one rule and the per-run Options. EventAlert turns a
// non-sequence EQL hit into one alert; SequenceAlerts turns a sequence into
// a shell alert followed by one building-block alert per event
// (detection-engine.md §2.5–§2.8, §2.13). Both reproduce Kibana's code in
// x-pack/solutions/security/plugins/security_solution/server/lib/detection_engine/rule_types/:
// wrap_hits_factory.ts and transform_hit_to_alert.ts (single events),
// eql/build_alert_group_from_sequence.ts and generate_building_block_ids.ts
// (sequences), build_alert.ts (buildAlertFields, the kibana.alert.* fields),
// reason_formatters.ts (kibana.alert.reason) and the rule registry's
// create_persistence_rule_type_wrapper.ts (augmentAlerts, filterDuplicateAlerts).
//
// # Alert ids
//
// An alert's _id is its kibana.alert.uuid. With ruleUUID the rule's
// saved-object id (rule.Rule.UUID: the export's id, or rule.DerivedUUID of
// the rule_id for a TOML rule), not its rule_id:
//
//	single event     sha256_hex(_index + _id + String(_version) + spaceId + ":" + ruleUUID)
//	                 (generateId in utils/utils.ts, called by wrapHitsFactory;
//	                 a hit without _version hashes "undefined")
//	building block i sha256_hex(base + String(i)), where
//	                 base = Σ_blocks ( Σ_block ancestors (id + index) + ruleUUID )
//	                 (generateBuildingBlockIds)
//	shell            sha256_hex( Σ_shell ancestors (id + index) + ruleUUID ), where the
//	                 shell's ancestors are, per block, the block's own ancestors (the
//	                 event) then {id: block id, type: "signal", index: "", depth, rule}
//	                 (generateAlertId in build_alert_group_from_sequence.ts)
//
// Sequence ids do not involve _version, so the same sequence found again in
// an overlapping window gets the same ids, and the sink's de-duplication
// drops it, as Kibana's does.
//
// # Document shape
//
// Documents are written as Kibana's alerts-as-data documents are:
// kibana.alert.*, kibana.space_ids and kibana.version as flattened dotted
// keys ("kibana.alert.rule.name": …), the source event's fields with their
// own shape (nested objects stay nested), except the source's event
// object, which Kibana flattens into event.* keys (buildEventTypeAlert)
// with event.kind "signal" and copies into kibana.alert.original_event.*
// (where event.kind keeps the source's value). This is the shape of the
// FTR expectations quoted in detection-engine.md §2.13.
//
// Values and key order follow JavaScript, which builds the documents:
// numbers are doubles (integers beyond 2^53 lose precision as they do in
// Kibana), strings are escaped as JSON.stringify escapes them, and keys are
// in the order Kibana's object spreads produce. The same input and Options
// give byte-identical output.
//
// # Sequences and missing events
//
// The shell alert's source is objectArrayIntersection of its building
// blocks: the fields all events share (equal scalars kept, arrays
// intersected, nested objects recursed, objects with nothing in common
// dropped). A missing-event placeholder (a nil *Event, from a `![…]` stage)
// becomes a building block with an empty source, which empties that
// intersection: Kibana's shell then has no context fields (kibana#168708).
// Options.MissingEventContext, off by default, intersects only the present
// events instead.
//
// Overrides (rule_name_override, severity_mapping, risk_score_mapping)
// apply to single-event alerts only, as in Kibana (kibana#120521).
//
// # Where eqld differs
//
// Kibana drops source values that do not fit the ECS mapping
// (traverseAndMutateDoc) and merges fields missing from _source from the
// search response's fields; eqld has no mapping and keeps the source as it
// is. Kibana's asset-criticality and risk-score enrichment and maintenance
// windows are not applied. A TOML rule is treated as the prebuilt rule it
// is in Kibana (immutable, rule_source external), with created_at and
// updated_at from its metadata dates.
package alert
