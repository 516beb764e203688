// Package winevent holds the one in-memory shape of a Windows event record
// that every Windows input produces — EVTX files, rendered XML exports and
// Winlogbeat-style JSON — and that the ECS mapper consumes.
//
// Values are kept as Windows renders them in XML (decimal integers, hex
// where the schema says HexInt, GUIDs in braces, SIDs as S-1-…, times in
// RFC 3339 with 7 fractional digits), because Elastic's ingest pipelines —
// the reference for the ECS mapping — work on those rendered strings.
package winevent

import "time"

// Record is one Windows event.
type Record struct {
	// System section.
	Provider          string // System/Provider/@Name
	ProviderGUID      string // System/Provider/@Guid, e.g. "{5770385F-C22A-43E0-BF4C-06F5698FFBD9}"
	EventSourceName   string // System/Provider/@EventSourceName (classic providers)
	EventID           uint32 // System/EventID
	Qualifiers        string // System/EventID/@Qualifiers, "" when absent
	Version           uint8
	Level             uint8
	Task              uint16
	Opcode            uint8
	Keywords          uint64 // System/Keywords as a number (rendered 0x… in XML)
	TimeCreated       time.Time
	RecordID          uint64 // System/EventRecordID
	ActivityID        string // System/Correlation/@ActivityID
	RelatedActivityID string
	ProcessID         uint32 // System/Execution/@ProcessID
	ThreadID          uint32
	Channel           string
	Computer          string
	UserID            string // System/Security/@UserID (a SID), "" when absent

	// EventData holds EventData/Data elements in document order. Unnamed
	// Data elements have an empty Name. Binary EventData/Binary is stored
	// under the name "Binary" as upper-case hex.
	EventData []Data

	// UserData is the first child of UserData, when the event uses UserData
	// instead of EventData (e.g. Security 1102, many Microsoft-Windows-*
	// channels). Nil when absent.
	UserData *Element

	// Source names where the record came from, for error messages and
	// provenance: a file path, with RecordID identifying the record inside it.
	Source string
}

// Data is one named EventData value.
type Data struct {
	Name  string
	Value string
}

// Element is a generic XML element: used for UserData, whose shape is
// provider-specific.
type Element struct {
	Name     string
	Attrs    []Data
	Text     string
	Children []*Element
}

// Get returns the value of the first EventData item named name.
func (r *Record) Get(name string) (string, bool) {
	for _, d := range r.EventData {
		if d.Name == name {
			return d.Value, true
		}
	}
	return "", false
}
