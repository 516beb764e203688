package ecs

import "sort"

// FieldType returns the Elasticsearch field type ECS 9.5 gives a field
// ("keyword", "long", "ip", "date", "boolean", "match_only_text",
// "wildcard", "flattened", "object", "nested", …), including multi-fields
// such as process.command_line.text. ok is false for names ECS does not
// define (winlog.*, powershell.*, sysmon.* are integration fields, not
// ECS).
func FieldType(name string) (typ string, ok bool) {
	n := len(fieldTypes)
	i := sort.Search(n, func(i int) bool { return fieldNameAt(i) >= name })
	if i < n && fieldNameAt(i) == name {
		return fieldTypeNames[fieldTypes[i]], true
	}
	return "", false
}

func fieldNameAt(i int) string { return fieldNames[fieldOffsets[i]:fieldOffsets[i+1]] }
