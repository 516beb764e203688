package source

import (
	"bytes"
	"fmt"
	"math/rand/v2"
)

// genEvents returns n ECS-like documents of about 1 KB in four shapes
// (process, network, file, registry), with nested objects, arrays, Windows
// paths with escaped backslashes and data_stream fields on most of them, as
// Elastic Agent writes them.
func genEvents(n int, seed uint64) [][]byte {
	rng := rand.New(rand.NewPCG(seed, 42))
	out := make([][]byte, n)
	var b bytes.Buffer
	for i := range out {
		b.Reset()
		ts := fmt.Sprintf("2024-05-01T12:%02d:%02d.%03dZ", i/60%60, i%60, i%1000)
		host := fmt.Sprintf("WIN-%04d", rng.IntN(50))
		pid := rng.IntN(60000)
		fmt.Fprintf(&b, `{"@timestamp":%q,"agent":{"id":"0c8e8f2a-%04x-bbbb-cccc-ddddeeeeffff","type":"endpoint","version":"8.14.0"},`, ts, rng.IntN(1<<16))
		fmt.Fprintf(&b, `"host":{"id":"8d7f6a5b-1111-2222-3333-%012x","name":%q,"os":{"type":"windows","name":"Windows Server 2019","version":"10.0"},"ip":["10.0.%d.%d","fe80::1"]},`, rng.Uint64()&0xffffffffffff, host, rng.IntN(255), rng.IntN(255))
		fmt.Fprintf(&b, `"process":{"pid":%d,"name":"powershell.exe","executable":"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe","command_line":"powershell.exe -NoProfile -EncodedCommand SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA%d","args":["powershell.exe","-NoProfile","-EncodedCommand"],"entity_id":"MzQ1Njc4OTAtYWJjZC1lZmdoLWlqa2wt%08d","parent":{"pid":%d,"name":"cmd.exe"}},`, pid, i, i, rng.IntN(60000))
		fmt.Fprintf(&b, `"user":{"name":"user%d","domain":"CORP","id":"S-1-5-21-1111111111-2222222222-3333333333-%d"},`, rng.IntN(100), 1000+rng.IntN(100))
		var dataset string
		switch i % 4 {
		case 0:
			dataset = "endpoint.events.process"
			b.WriteString(`"event":{"category":["process"],"type":["start"],"action":"start","kind":"event","module":"endpoint","dataset":"endpoint.events.process"},`)
		case 1:
			dataset = "endpoint.events.network"
			fmt.Fprintf(&b, `"event":{"category":["network"],"type":["connection","start"],"action":"connection_attempted","kind":"event"},"source":{"ip":"10.0.0.%d","port":%d},"destination":{"ip":"93.184.216.%d","port":443},"network":{"transport":"tcp","direction":"egress"},`, rng.IntN(255), 1024+rng.IntN(60000), rng.IntN(255))
		case 2:
			dataset = "endpoint.events.file"
			fmt.Fprintf(&b, `"event":{"category":["file"],"type":["creation"],"action":"creation","kind":"event"},"file":{"path":"C:\\Users\\user%d\\AppData\\Local\\Temp\\tmp%04x.ps1","name":"tmp%04x.ps1","extension":"ps1"},`, i%100, i, i)
		case 3:
			dataset = "endpoint.events.registry"
			fmt.Fprintf(&b, `"event":{"category":["registry"],"type":["change"],"action":"modification","kind":"event"},"registry":{"path":"HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\Updater%d","value":"Updater%d","data":{"strings":["C:\\ProgramData\\u%d.exe"]}},`, i, i, i)
		}
		if i%10 != 9 {
			fmt.Fprintf(&b, `"data_stream":{"type":"logs","dataset":%q,"namespace":"default"},`, dataset)
		}
		b.WriteString(`"ecs":{"version":"8.11.0"},"message":"Endpoint event ` + fmt.Sprint(i) + `"}`)
		out[i] = bytes.Clone(b.Bytes())
	}
	return out
}

// ndjson joins documents into NDJSON.
func ndjson(docs [][]byte) []byte {
	var b bytes.Buffer
	for _, d := range docs {
		b.Write(d)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// prettyArray renders documents as an indented JSON array, as
// json.MarshalIndent or jq would.
func prettyArray(docs [][]byte) []byte {
	var b bytes.Buffer
	b.WriteString("[\n")
	for i, d := range docs {
		indent(&b, d, "  ")
		if i < len(docs)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("]\n")
	return b.Bytes()
}

// indent writes the valid compact JSON d pretty-printed.
func indent(b *bytes.Buffer, d []byte, prefix string) {
	depth := 0
	nlIndent := func() {
		b.WriteByte('\n')
		b.WriteString(prefix)
		for range depth {
			b.WriteString("  ")
		}
	}
	b.WriteString(prefix)
	for i := 0; i < len(d); i++ {
		switch c := d[i]; c {
		case '"':
			j := stringEnd(d, i)
			b.Write(d[i : j+1])
			i = j
		case '{', '[':
			b.WriteByte(c)
			if i+1 < len(d) && (d[i+1] == '}' || d[i+1] == ']') {
				continue
			}
			depth++
			nlIndent()
		case '}', ']':
			if d[i-1] != '{' && d[i-1] != '[' {
				depth--
				nlIndent()
			}
			b.WriteByte(c)
		case ',':
			b.WriteByte(c)
			nlIndent()
		case ':':
			b.WriteString(": ")
		default:
			b.WriteByte(c)
		}
	}
}
