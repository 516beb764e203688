package alert

import (
	"testing"
)

func TestObjectArrayIntersection(t *testing.T) {
	tests := []struct {
		name string
		docs []string
		want string
	}{
		{
			name: "FTR common fields: agent keeps type and version, client.ip arrays intersect",
			docs: []string{
				`{"agent":{"name":"a1","type":"auditbeat","version":"8.0.0"},"client":{"ip":["127.0.0.1","127.0.0.2"]}}`,
				`{"agent":{"name":"a2","type":"auditbeat","version":"8.0.0"},"client":{"ip":["127.0.0.1","127.0.0.3"]}}`,
			},
			want: `{"agent":{"type":"auditbeat","version":"8.0.0"},"client":{"ip":["127.0.0.1"]}}`,
		},
		{
			name: "scalar against array and array against scalar",
			docs: []string{`{"a":"x","b":["x","y"],"c":["z"]}`, `{"a":["x","y"],"b":"y","c":"w"}`},
			want: `{"a":["x"],"b":["y"],"c":[]}`,
		},
		{
			name: "objects with nothing in common are dropped",
			docs: []string{`{"a":{"b":{"c":1}},"d":1}`, `{"a":{"b":{"c":2}},"d":1}`},
			want: `{"d":1}`,
		},
		{
			name: "equal scalars and nulls kept, differing dropped, one-sided keys dropped",
			docs: []string{`{"n":null,"s":"a","x":1,"only":true}`, `{"n":null,"s":"b","x":1.0}`},
			want: `{"n":null,"x":1}`,
		},
		{
			name: "arrays: distinct values in the first array's order; objects never equal",
			docs: []string{`{"a":[3,1,1,2],"o":[{"k":1}]}`, `{"a":[1,2,3],"o":[{"k":1}]}`},
			want: `{"a":[3,1,2],"o":[]}`,
		},
		{
			name: "three documents fold left",
			docs: []string{`{"h":{"name":"x","id":1},"u":"r"}`, `{"h":{"name":"x","id":1},"u":"r"}`, `{"h":{"name":"x","id":2},"u":"s"}`},
			want: `{"h":{"name":"x"}}`,
		},
		{
			name: "an empty document (missing event) empties the intersection",
			docs: []string{`{"h":{"name":"x"}}`, `{}`},
			want: `{}`,
		},
		{
			name: "a single document is returned as is",
			docs: []string{`{"a":{"b":[{"c":1}]}}`},
			want: `{"a":{"b":[{"c":1}]}}`,
		},
		{
			name: "no documents",
			want: `{}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var objs []*object
			for _, d := range tt.docs {
				objs = append(objs, mustObject(t, d))
			}
			if got := string(appendObject(nil, objectArrayIntersection(objs))); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}
