package ecs

// The lookup tables come from Elastic's pipelines and the field types from
// the ECS schema; both need ../shared (see internal/shared).
//go:generate go run ./internal/genpipelines -o pipeline_tables.go
//go:generate go run ./internal/genfieldtypes -o fieldtypes_table.go

// categorization is one row of a pipeline's "Set ECS categorization
// fields" script: event id → event.category, event.type, event.action
// (and event.outcome for the few Sysmon ids that set it).
type categorization struct {
	id       uint32
	category []string
	typ      []string
	action   string
	outcome  []string
}

// flagName names one bit (or bit group) of a flags value, as the
// pipelines' flag-decoding scripts do.
type flagName struct {
	mask uint64
	name string
}
