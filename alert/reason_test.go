package alert

import (
	"testing"
)

func mustObject(t *testing.T, s string) *object {
	t.Helper()
	v, err := parseJSON([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	if v.kind != kindObject {
		t.Fatalf("%s is not an object", s)
	}
	return v.obj
}

func TestReasonMessage(t *testing.T) {
	const name, sev = "Alert Testing Query", "high"
	tests := []struct {
		name  string
		doc   string
		shell bool // read as a merged shell document (lodash get) instead of ES fields
		want  string
	}{
		{
			name: "FTR non-sequence example",
			doc:  `{"event":{"category":"configuration"},"host":{"name":"suricata-zeek-sensor-toronto"}}`,
			want: "configuration event on suricata-zeek-sensor-toronto created high alert Alert Testing Query.",
		},
		{
			name: "FTR building block example",
			doc:  `{"event":{"category":"anomoly"},"process":{"name":"bro"},"user":{"name":"root"},"host":{"name":"zeek-sensor-amsterdam"}}`,
			want: "anomoly event with process bro, by root on zeek-sensor-amsterdam created high alert Alert Testing Query.",
		},
		{
			name: "no fields", doc: `{}`,
			want: "event created high alert Alert Testing Query.",
		},
		{
			name: "network with ports",
			doc:  `{"event":{"category":["network"]},"source":{"ip":"10.0.5.29","port":62581},"destination":{"ip":"10.30.1.3","port":5985},"user":{"name":"SYSTEM"},"host":{"name":"WS-1"}}`,
			want: "network event with source 10.0.5.29:62581, destination 10.30.1.3:5985, by SYSTEM on WS-1 created high alert Alert Testing Query.",
		},
		{
			name: "port without address keeps the template's punctuation",
			doc:  `{"source":{"port":53}}`,
			want: "event with:53, created high alert Alert Testing Query.",
		},
		{
			name: "every field of interest",
			doc:  `{"process":{"name":"cmd.exe","parent":{"name":"winword.exe"}},"file":{"name":"a.doc"},"host":{"name":"h"}}`,
			want: "event with process cmd.exe, parent process winword.exe, file a.doc, on h created high alert Alert Testing Query.",
		},
		{
			name: "multi-valued fields are joined with comma and space",
			doc:  `{"event":{"category":["process","network"]},"host":{"name":["a","b"]}}`,
			want: "process, network event on a, b created high alert Alert Testing Query.",
		},
		{
			name: "dash and the text null count as absent",
			doc:  `{"user":{"name":"-"},"host":{"name":"null"}}`,
			want: "event created high alert Alert Testing Query.",
		},
		{
			// Elasticsearch returns [""] for an empty keyword; isFieldEmpty
			// only looks at the array's length.
			name: "an empty string in fields is present",
			doc:  `{"process":{"name":""}}`,
			want: "event with process , created high alert Alert Testing Query.",
		},
		{
			name: "flattened source keys",
			doc:  `{"process.name":"x.exe","host.name":"h"}`,
			want: "event with process x.exe, on h created high alert Alert Testing Query.",
		},
		{
			name:  "FTR shell example: differing categories intersect to []",
			doc:   `{"event.category":[],"user":{"name":"root"},"host":{"name":"zeek-sensor-amsterdam"}}`,
			shell: true,
			want:  "event by root on zeek-sensor-amsterdam created high alert Alert Testing Query.",
		},
		{
			name:  "shell: plain numbers have no length and are left out",
			doc:   `{"source":{"ip":"1.2.3.4","port":53},"destination":{"port":[443]}}`,
			shell: true,
			want:  "event with source 1.2.3.4:443, created high alert Alert Testing Query.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := mustObject(t, tt.doc)
			get := fieldsGetter(o)
			if tt.shell {
				get = lodashGetter(o)
			}
			if got := reasonMessage(name, sev, get); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestOriginalTime(t *testing.T) {
	tests := []struct{ doc, want string }{
		{`{"@timestamp":"2026-01-05T08:00:30Z"}`, "2026-01-05T08:00:30.000Z"},
		{`{"@timestamp":"2026-01-05T08:00:30.123456789Z"}`, "2026-01-05T08:00:30.123Z"},
		{`{"@timestamp":"2026-01-05T09:00:30+01:00"}`, "2026-01-05T08:00:30.000Z"},
		{`{"@timestamp":"2026-01-05T08:00:30.5"}`, "2026-01-05T08:00:30.500Z"},
		{`{"@timestamp":1767600030000}`, "2026-01-05T08:00:30.000Z"},
		{`{"@timestamp":"1767600030000"}`, "2026-01-05T08:00:30.000Z"},
		{`{"@timestamp":"yesterday"}`, ""},
		{`{}`, ""},
	}
	for _, tt := range tests {
		if got := originalTime(mustObject(t, tt.doc)); got != tt.want {
			t.Errorf("originalTime(%s) = %q, want %q", tt.doc, got, tt.want)
		}
	}
}
