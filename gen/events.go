package gen

import "sync"

var (
	catOnce sync.Once
	cats    [numOS]*catR
)

func renderedCatalogs() *[numOS]*catR {
	catOnce.Do(func() {
		for o := osKind(0); o < numOS; o++ {
			cats[o] = renderCatalog(catalogs[o], o)
		}
	})
	return &cats
}

// run is the mutable state of one WriteTo.
type run struct {
	g        *Generator
	rng      *rng
	clk      clock
	hosts    []*host
	hostPick [numKinds]*table
	hostIdx  [numKinds][]int
	evSeq    uint64
	f        fill

	plantStates map[*planted]*plantState
}

func newRun(g *Generator) *run {
	r := &run{g: g, rng: newRNG(g.cfg.Seed, 2)}
	fl := layoutFleet(g.cfg)
	hr := newRNG(g.cfg.Seed, 1)
	cs := renderedCatalogs()
	r.hosts = make([]*host, g.cfg.Hosts)
	for i := range r.hosts {
		r.hosts[i] = newHost(i, fl, hr, cs)
	}
	for k := kind(0); k < numKinds; k++ {
		var ws []uint64
		for i := range r.hosts {
			if fl.eligible(i, k) {
				r.hostIdx[k] = append(r.hostIdx[k], i)
				// busy hosts: Zipf-like but flattened so that no single
				// host dominates a 500-host fleet
				ws = append(ws, 1_000_000/uint64(i+20))
			}
		}
		if len(ws) > 0 {
			r.hostPick[k] = newTable(ws)
		}
	}
	r.f.r = r.rng
	return r
}

// noise appends one benign event at time t (Unix ns).
func (r *run) noise(b []byte, t int64) []byte {
	k := r.g.kinds[r.g.kindPick.pick(r.rng)]
	h := r.hosts[r.hostIdx[k][r.hostPick[k].pick(r.rng)]]
	switch k {
	case kProcess:
		return r.noiseProcess(b, h, t)
	case kNetwork:
		return r.noiseNetwork(b, h, t)
	case kFile:
		return r.noiseFile(b, h, t)
	case kRegistry:
		return r.noiseRegistry(b, h, t)
	case kDNS:
		return r.noiseDNS(b, h, t)
	case kLibrary:
		return r.noiseLibrary(b, h, t)
	default:
		return r.noiseAuth(b, h, t)
	}
}

func (r *run) setFill(h *host, u *user) {
	r.f.user, r.f.sid, r.f.host = u.name, u.id, h.name
}

// ---- common heads ----

type dataset struct {
	name, stream, message string
}

func mkDataset(name, message string) *dataset {
	return &dataset{name: name,
		stream:  `"data_stream":{"dataset":"` + name + `","namespace":"default","type":"logs"},"ecs":{"version":"8.11.0"},`,
		message: message}
}

var (
	dsProcess  = mkDataset("endpoint.events.process", "")
	dsNetwork  = mkDataset("endpoint.events.network", "")
	dsFile     = mkDataset("endpoint.events.file", "")
	dsRegistry = mkDataset("endpoint.events.registry", "")
	dsLibrary  = mkDataset("endpoint.events.library", "")
	dsSysmon   = mkDataset("windows.sysmon_operational", "")
	dsSecurity = mkDataset("system.security", "")
)

// head writes everything before the event-specific fields: timestamp,
// agent, data stream, event.* and host. cats and types are JSON arrays;
// extra is appended inside event (e.g. `,"code":"1"`).
func (r *run) head(b []byte, h *host, ds *dataset, action, cats, types, extra string, t int64) []byte {
	ms := t / 1_000_000
	b = append(b, `{"@timestamp":"`...)
	b = r.clk.append(b, ms)
	b = append(b, `",`...)
	b = append(b, h.agent...)
	b = append(b, ds.stream...)
	b = append(b, `"event":{"action":"`...)
	b = append(b, action...)
	b = append(b, `","category":`...)
	b = append(b, cats...)
	b = append(b, `,"created":"`...)
	b = r.clk.append(b, ms)
	b = append(b, `","dataset":"`...)
	b = append(b, ds.name...)
	if ds == dsSysmon || ds == dsSecurity {
		b = append(b, `","ingested":"`...)
	} else {
		b = append(b, `","id":"`...)
		r.evSeq++
		b = appendB64(b, (r.evSeq^r.g.cfg.Seed)*0x9e3779b97f4a7c15+uint64(h.idx), 22)
		b = append(b, `","ingested":"`...)
	}
	b = r.clk.append(b, ms+300+int64(r.rng.intn(2700)))
	switch ds {
	case dsSysmon:
		b = append(b, `","kind":"event","module":"windows","provider":"Microsoft-Windows-Sysmon","type":`...)
	case dsSecurity:
		b = append(b, `","kind":"event","module":"system","provider":"Microsoft-Windows-Security-Auditing","type":`...)
	default:
		b = append(b, `","kind":"event","module":"endpoint","outcome":"success","sequence":`...)
		h.seq++
		b = appendUint(b, uint64(h.seq))
		b = append(b, `,"type":`...)
	}
	b = append(b, types...)
	b = append(b, extra...)
	b = append(b, `},`...)
	b = append(b, h.frag...)
	b = append(b, ds.message...)
	return b
}

// ---- processes ----

func (r *run) appendEID(b []byte, h *host, p *proc) []byte {
	if h.sysmon {
		// Sysmon ProcessGuid: {machine-ish part}-{time-ish part}
		x := p.eid
		b = append(b, '{')
		for i := 0; i < 32; i++ {
			if i == 8 || i == 12 || i == 16 || i == 20 {
				b = append(b, '-')
			}
			if i == 16 {
				x = p.eid*0x9e3779b97f4a7c15 + 0x632be59bd9b4e019
				x ^= x >> 31
			}
			b = append(b, "0123456789ABCDEF"[x>>60])
			x <<= 4
		}
		return append(b, '}')
	}
	return appendB64(b, p.eid, 44)
}

func (r *run) appendArgs(b []byte, c *cmdR) []byte {
	b = append(b, `"args":[`...)
	for i := range c.args {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = c.args[i].append(b, &r.f)
		b = append(b, '"')
	}
	b = append(b, `],"args_count":`...)
	b = appendUint(b, uint64(len(c.args)))
	b = append(b, `,"command_line":"`...)
	b = c.cmd.append(b, &r.f)
	return append(b, `",`...)
}

// appendParent writes process.parent for p's parent (the fill must be set
// for the parent's user while its command line is rendered).
func (r *run) appendParent(b []byte, h *host, p *proc) []byte {
	pp := p.parent
	if pp == nil {
		return b
	}
	saved := r.f
	r.setFill(h, pp.user)
	b = append(b, `"parent":{`...)
	b = r.appendArgs(b, pp.cmd)
	b = append(b, `"entity_id":"`...)
	b = r.appendEID(b, h, pp)
	b = append(b, `","executable":"`...)
	b = append(b, pp.exe.exe...)
	b = append(b, `","name":"`...)
	b = append(b, pp.exe.name...)
	b = append(b, `","pid":`...)
	b = appendUint(b, uint64(pp.pid))
	b = append(b, `},`...)
	r.f = saved
	return b
}

func (r *run) appendUser(b []byte, h *host, u *user) []byte {
	b = append(b, `"user":{`...)
	if u.domain != "" {
		b = append(b, `"domain":"`...)
		b = append(b, u.domain...)
		b = append(b, `",`...)
	}
	b = append(b, `"id":"`...)
	if h.sysmon {
		b = append(b, "S-1-5-18"...) // Sysmon reports its own account here
	} else {
		b = append(b, u.id...)
	}
	b = append(b, `","name":"`...)
	b = append(b, u.name...)
	return append(b, `"}`...)
}

// appendProcessFull writes the whole process object of a start event.
func (r *run) appendProcessFull(b []byte, h *host, p *proc) []byte {
	r.setFill(h, p.user)
	b = append(b, `"process":{`...)
	if !h.sysmon && h.os == osWindows {
		b = append(b, `"Ext":{"ancestry":[`...)
		if p.parent != nil {
			b = append(b, '"')
			b = r.appendEID(b, h, p.parent)
			b = append(b, '"')
			if p.parent.parent != nil {
				b = append(b, `,"`...)
				b = r.appendEID(b, h, p.parent.parent)
				b = append(b, '"')
			}
		}
		b = append(b, `],"token":{"integrity_level_name":"`...)
		b = append(b, p.integ...)
		b = append(b, `"}},`...)
	}
	b = r.appendArgs(b, p.cmd)
	if !h.sysmon {
		b = append(b, p.exe.sig...)
	}
	b = append(b, `"entity_id":"`...)
	b = r.appendEID(b, h, p)
	b = append(b, `","executable":"`...)
	b = append(b, p.exe.exe...)
	b = append(b, `",`...)
	b = append(b, p.exe.hash...)
	if h.os == osLinux {
		b = append(b, `"interactive":false,`...)
	}
	b = append(b, `"name":"`...)
	b = append(b, p.exe.name...)
	b = append(b, `",`...)
	b = r.appendParent(b, h, p)
	b = append(b, p.exe.pe...)
	b = append(b, `"pid":`...)
	b = appendUint(b, uint64(p.pid))
	b = append(b, `,"working_directory":"`...)
	r.setFill(h, p.user)
	b = p.cwd.append(b, &r.f)
	b = append(b, `"},`...)
	return b
}

// appendProcessBrief writes the short process object that network, file,
// registry and library events carry.
func (r *run) appendProcessBrief(b []byte, h *host, p *proc) []byte {
	b = append(b, `"process":{"entity_id":"`...)
	b = r.appendEID(b, h, p)
	if p.exe.exe != "" {
		b = append(b, `","executable":"`...)
		b = append(b, p.exe.exe...)
	}
	b = append(b, `","name":"`...)
	b = append(b, p.exe.name...)
	b = append(b, `","pid":`...)
	b = appendUint(b, uint64(p.pid))
	return append(b, `},`...)
}

// winlog writes the winlog object of a Sysmon event, closing the document.
func (r *run) sysmonTail(b []byte, h *host, eventID string, data string) []byte {
	b = append(b, `,"winlog":{"channel":"Microsoft-Windows-Sysmon/Operational","computer_name":"`...)
	b = append(b, h.fqdn...)
	b = append(b, `","event_data":{`...)
	b = append(b, data...)
	b = append(b, `},"event_id":"`...)
	b = append(b, eventID...)
	b = append(b, `","provider_name":"Microsoft-Windows-Sysmon","record_id":"`...)
	h.record++
	b = appendUint(b, uint64(h.record))
	b = append(b, `","user":{"domain":"NT AUTHORITY","identifier":"S-1-5-18","name":"SYSTEM","type":"User"},"version":5}}`...)
	return b
}

var startVerb = [numOS]string{"start", "exec", "exec"}

func (r *run) noiseProcess(b []byte, h *host, t int64) []byte {
	c := h.cat
	if h.nrecent > 0 && r.rng.chance(0.3) {
		return r.processEnd(b, h, h.forget(), t)
	}
	cs := &c.children[c.childPick.pick(r.rng)]
	p := &proc{exe: cs.exe, cmd: &cs.cmds[cs.cmdPick.pick(r.rng)], cwd: &cs.cwd, parent: &h.roots[cs.parent]}
	p.pid = h.allocPID(r.rng)
	p.eid = r.rng.u64()
	p.user, p.integ = h.usr, "medium"
	if cs.exe.spec.sys {
		p.user, p.integ = h.sys, "system"
	}
	h.remember(p)
	return r.processStart(b, h, p, t)
}

func (r *run) processStart(b []byte, h *host, p *proc, t int64) []byte {
	if h.sysmon {
		b = r.head(b, h, dsSysmon, "Process creation", `["process"]`, `["start"]`, `,"code":"1"`, t)
		b = r.appendProcessFull(b, h, p)
		b = r.appendUser(b, h, p.user)
		integ := "Medium"
		if p.integ == "system" {
			integ = "System"
		}
		return r.sysmonTail(b, h, "1", `"IntegrityLevel":"`+integ+`","LogonId":"0x3e7","TerminalSessionId":"1"`)
	}
	b = r.head(b, h, dsProcess, startVerb[h.os], `["process"]`, `["start"]`, "", t)
	b = r.appendProcessFull(b, h, p)
	b = r.appendUser(b, h, p.user)
	return append(b, '}')
}

func (r *run) processEnd(b []byte, h *host, p *proc, t int64) []byte {
	if h.sysmon {
		b = r.head(b, h, dsSysmon, "Process terminated", `["process"]`, `["end"]`, `,"code":"5"`, t)
		b = r.appendProcessBrief(b, h, p)
		b = r.appendUser(b, h, p.user)
		return r.sysmonTail(b, h, "5", `"TerminalSessionId":"1"`)
	}
	b = r.head(b, h, dsProcess, "end", `["process"]`, `["end"]`, "", t)
	r.setFill(h, p.user)
	b = append(b, `"process":{`...)
	b = r.appendArgs(b, p.cmd)
	b = append(b, `"entity_id":"`...)
	b = r.appendEID(b, h, p)
	b = append(b, `","executable":"`...)
	b = append(b, p.exe.exe...)
	b = append(b, `","exit_code":0,"name":"`...)
	b = append(b, p.exe.name...)
	b = append(b, `",`...)
	b = r.appendParent(b, h, p)
	b = append(b, `"pid":`...)
	b = appendUint(b, uint64(p.pid))
	b = append(b, `},`...)
	b = r.appendUser(b, h, p.user)
	return append(b, '}')
}

// ---- network ----

var publicPrefixes = []string{"142.250.", "172.217.", "13.107.", "20.190.", "52.96.", "104.16.", "151.101.", "23.45.", "40.126.", "185.199."}

func (r *run) appendPeerIP(b []byte, h *host, pk peerKind) []byte {
	switch pk {
	case peerPublic:
		b = append(b, publicPrefixes[r.rng.intn(len(publicPrefixes))]...)
		b = appendUint(b, uint64(r.rng.intn(256)))
		b = append(b, '.')
		return appendUint(b, uint64(1+r.rng.intn(254)))
	case peerInternal:
		b = append(b, "10."...)
		b = appendUint(b, uint64(h.site))
		b = append(b, ".200."...)
		return appendUint(b, uint64(10+r.rng.intn(50)))
	case peerDNS:
		b = append(b, "10."...)
		b = appendUint(b, uint64(h.site))
		return append(b, ".0.10"...)
	default:
		b = append(b, "10.0.5."...)
		return appendUint(b, uint64(20+r.rng.intn(10)))
	}
}

// connection writes a network event for actor; ingress connections were
// accepted on port, egress ones made to it.
func (r *run) connection(b []byte, h *host, actor *proc, ingress bool, transport string, port int, peer peerKind, end bool, t int64) []byte {
	var scratch [40]byte
	peerIP := r.appendPeerIP(scratch[:0], h, peer)
	eph := uint64(49152 + r.rng.intn(16383))
	src, dst := h.ip, string(peerIP)
	sport, dport := eph, uint64(port)
	dir := "egress"
	if ingress {
		src, dst = dst, src
		dir = "ingress"
	}
	if h.sysmon {
		b = r.head(b, h, dsSysmon, "Network connection", `["network"]`, `["start","connection","protocol"]`, `,"code":"3"`, t)
	} else {
		action, typ := "connection_attempted", `["start"]`
		if ingress {
			action = "connection_accepted"
		}
		if end {
			action, typ = "disconnect_received", `["end"]`
		}
		b = r.head(b, h, dsNetwork, action, `["network"]`, typ, "", t)
	}
	b = append(b, `"destination":{"address":"`...)
	b = append(b, dst...)
	b = append(b, `","ip":"`...)
	b = append(b, dst...)
	b = append(b, `","port":`...)
	b = appendUint(b, dport)
	b = append(b, `},"network":{"direction":"`...)
	b = append(b, dir...)
	if h.sysmon {
		if proto := portName(port); proto != "" {
			b = append(b, `","protocol":"`...)
			b = append(b, proto...)
		}
	}
	b = append(b, `","transport":"`...)
	b = append(b, transport...)
	b = append(b, `","type":"ipv4"},`...)
	b = r.appendProcessBrief(b, h, actor)
	b = append(b, `"source":{"address":"`...)
	b = append(b, src...)
	b = append(b, `","ip":"`...)
	b = append(b, src...)
	b = append(b, `","port":`...)
	b = appendUint(b, sport)
	b = append(b, `},`...)
	b = r.appendUser(b, h, actor.user)
	if h.sysmon {
		init := "true"
		if ingress {
			init = "false"
		}
		return r.sysmonTail(b, h, "3", `"Initiated":"`+init+`","SourceIsIpv6":"false"`)
	}
	return append(b, '}')
}

func portName(p int) string {
	switch p {
	case 443:
		return "https"
	case 80:
		return "http"
	case 53:
		return "domain"
	}
	return ""
}

func (r *run) noiseNetwork(b []byte, h *host, t int64) []byte {
	c := h.cat
	n := &c.nets[c.netPick.pick(r.rng)]
	return r.connection(b, h, &h.roots[c.rootIdx[n.actor]], n.ingress, n.transport, n.port, n.peer, r.rng.chance(0.3), t)
}

// ---- DNS ----

func (r *run) noiseDNS(b []byte, h *host, t int64) []byte {
	c := h.cat
	d := &c.dns[c.dnsPick.pick(r.rng)]
	actor := &h.roots[d.actor]
	name := d.domains[d.pick.pick(r.rng)]
	var scratch [40]byte
	ip := r.appendPeerIP(scratch[:0], h, peerPublic)
	if h.sysmon {
		b = r.head(b, h, dsSysmon, "DNSEvent (DNS query)", `["network"]`, `["connection","protocol","info"]`, `,"code":"22"`, t)
	} else {
		b = r.head(b, h, dsNetwork, "lookup_result", `["network"]`, `["protocol","info"]`, "", t)
	}
	b = append(b, `"dns":{"question":{"name":"`...)
	b = append(b, name...)
	b = append(b, `","type":"A"},"resolved_ip":["`...)
	b = append(b, ip...)
	b = append(b, `"]},"network":{"protocol":"dns"},`...)
	b = r.appendProcessBrief(b, h, actor)
	b = r.appendUser(b, h, actor.user)
	if h.sysmon {
		return r.sysmonTail(b, h, "22", `"QueryStatus":"0"`)
	}
	return append(b, '}')
}

// ---- files ----

func (r *run) noiseFile(b []byte, h *host, t int64) []byte {
	c := h.cat
	f := &c.files[c.filePick.pick(r.rng)]
	actor := &h.roots[f.actor]
	r.setFill(h, actor.user)
	if h.sysmon {
		if f.action == "deletion" {
			b = r.head(b, h, dsSysmon, "File Delete logged", `["file"]`, `["deletion"]`, `,"code":"26"`, t)
		} else {
			b = r.head(b, h, dsSysmon, "File created (rule: FileCreate)", `["file"]`, `["creation"]`, `,"code":"11"`, t)
		}
	} else {
		b = r.head(b, h, dsFile, f.action, `["file"]`, f.typ, "", t)
	}
	// {r} and {n} must render identically in path and name: render the
	// path once and derive directory and name from it.
	start := len(b) + len(`"file":{"path":"`)
	b = append(b, `"file":{"path":"`...)
	b = f.path.append(b, &r.f)
	path := b[start:]
	sep := byte('/')
	if h.os == osWindows {
		sep = '\\'
	}
	cut := len(path) - 1
	for cut >= 0 && path[cut] != sep {
		cut--
	}
	dirEnd := cut
	if sep == '\\' && dirEnd > 0 { // escaped backslash is two bytes
		dirEnd--
	}
	var tmp [512]byte
	name := append(tmp[:0], path[cut+1:]...)
	dir := append(tmp[len(name):len(name)], path[:dirEnd]...)
	b = append(b, `","directory":"`...)
	b = append(b, dir...)
	if f.ext != "" {
		b = append(b, `","extension":"`...)
		b = append(b, f.ext...)
	}
	b = append(b, `","name":"`...)
	b = append(b, name...)
	b = append(b, `"},`...)
	b = r.appendProcessBrief(b, h, actor)
	b = r.appendUser(b, h, actor.user)
	if h.sysmon {
		if f.action == "deletion" {
			return r.sysmonTail(b, h, "26", `"IsExecutable":"false"`)
		}
		return r.sysmonTail(b, h, "11", `"CreationUtcTime":"2026-01-05 08:00:00.000"`)
	}
	return append(b, '}')
}

// ---- registry ----

func (r *run) noiseRegistry(b []byte, h *host, t int64) []byte {
	c := h.cat
	g := &c.regs[c.regPick.pick(r.rng)]
	actor := &h.roots[g.actor]
	r.setFill(h, actor.user)
	if h.sysmon {
		b = r.head(b, h, dsSysmon, "RegistryEvent (Value Set)", `["configuration","registry"]`, `["change"]`, `,"code":"13"`, t)
	} else {
		b = r.head(b, h, dsRegistry, "modification", `["registry"]`, `["change"]`, "", t)
	}
	b = r.appendProcessBrief(b, h, actor)
	b = append(b, `"registry":{"data":{"strings":["`...)
	b = g.data.append(b, &r.f)
	b = append(b, `"],"type":"`...)
	b = append(b, g.typ...)
	b = append(b, `"},"hive":"`...)
	b = append(b, g.hive...)
	b = append(b, `","key":"`...)
	b = g.key.append(b, &r.f)
	b = append(b, `","path":"`...)
	if h.sysmon { // Sysmon's TargetObject abbreviates HKEY_USERS to HKU
		b = g.spath.append(b, &r.f)
	} else {
		b = g.path.append(b, &r.f)
	}
	b = append(b, `","value":"`...)
	b = append(b, g.value...)
	b = append(b, `"},`...)
	b = r.appendUser(b, h, actor.user)
	if h.sysmon {
		return r.sysmonTail(b, h, "13", `"EventType":"SetValue"`)
	}
	return append(b, '}')
}

// ---- libraries ----

func (r *run) noiseLibrary(b []byte, h *host, t int64) []byte {
	c := h.cat
	l := &c.libs[c.libPick.pick(r.rng)]
	actor := &h.roots[l.actor]
	b = r.head(b, h, dsLibrary, "load", `["library"]`, `["start"]`, "", t)
	b = append(b, `"dll":{`...)
	b = append(b, l.exe.sig...)
	b = append(b, l.exe.hash...)
	b = append(b, `"name":"`...)
	b = append(b, l.exe.name...)
	b = append(b, `","path":"`...)
	b = append(b, l.exe.exe...)
	b = append(b, `",`...)
	b = append(b, l.exe.pe...)
	b = trimComma(b)
	b = append(b, `},`...)
	b = r.appendProcessBrief(b, h, actor)
	b = r.appendUser(b, h, actor.user)
	return append(b, '}')
}

// ---- logons (Security channel) ----

func (r *run) noiseAuth(b []byte, h *host, t int64) []byte {
	x := r.rng.intn(100)
	var (
		code, action, typ, outcome, msg string
		ltype, ltypeName, pkg, lproc    string
		u                               *user
		src                             peerKind = 255
	)
	switch {
	case x < 45: // services logging on as SYSTEM
		code, action, typ, outcome, msg = "4624", "logged-in", `["start"]`, "success", "An account was successfully logged on."
		ltype, ltypeName, pkg, lproc, u = "5", "Service", "Negotiate", "Advapi  ", h.sys
	case x < 75: // Kerberos network logons from file servers
		code, action, typ, outcome, msg = "4624", "logged-in", `["start"]`, "success", "An account was successfully logged on."
		ltype, ltypeName, pkg, lproc, u, src = "3", "Network", "Kerberos", "Kerberos", h.usr, peerInternal
	case x < 85: // workstation unlock
		code, action, typ, outcome, msg = "4624", "logged-in", `["start"]`, "success", "An account was successfully logged on."
		ltype, ltypeName, pkg, lproc, u = "7", "Unlock", "Negotiate", "User32 ", h.usr
	default:
		code, action, typ, outcome, msg = "4634", "logged-out", `["end"]`, "success", "An account was logged off."
		ltype, ltypeName, u = "3", "Network", h.usr
	}
	b = r.head(b, h, dsSecurity, action, `["authentication"]`, typ, `,"code":"`+code+`","outcome":"`+outcome+`"`, t)
	b = append(b, `"log":{"level":"information"},"message":"`...)
	b = append(b, msg...)
	b = append(b, `",`...)
	var logonID [16]byte
	lid := append(logonID[:0], "0x"...)
	lid = appendHex(lid, r.rng, 6)
	if src != 255 {
		b = append(b, `"source":{"domain":"FS-`...)
		b = appendUint(b, uint64(h.site))
		b = append(b, `","ip":"`...)
		b = r.appendPeerIP(b, h, src)
		b = append(b, `","port":0},`...)
	}
	b = append(b, `"user":{"domain":"`...)
	b = append(b, u.domain...)
	b = append(b, `","id":"`...)
	b = append(b, u.id...)
	b = append(b, `","name":"`...)
	b = append(b, u.name...)
	b = append(b, `"},"winlog":{"channel":"Security","computer_name":"`...)
	b = append(b, h.fqdn...)
	b = append(b, `","event_data":{`...)
	if pkg != "" {
		b = append(b, `"AuthenticationPackageName":"`...)
		b = append(b, pkg...)
		b = append(b, `","LogonProcessName":"`...)
		b = append(b, lproc...)
		b = append(b, `",`...)
	}
	b = append(b, `"LogonType":"`...)
	b = append(b, ltype...)
	b = append(b, `","TargetDomainName":"`...)
	b = append(b, u.domain...)
	b = append(b, `","TargetLogonId":"`...)
	b = append(b, lid...)
	b = append(b, `","TargetUserName":"`...)
	b = append(b, u.name...)
	b = append(b, `","TargetUserSid":"`...)
	b = append(b, u.id...)
	b = append(b, `"},"event_id":"`...)
	b = append(b, code...)
	b = append(b, `","keywords":["Audit Success"],"logon":{"id":"`...)
	b = append(b, lid...)
	b = append(b, `","type":"`...)
	b = append(b, ltypeName...)
	b = append(b, `"},"opcode":"Info","provider_guid":"{54849625-5478-4994-a5ba-3e3b0328c30d}","provider_name":"Microsoft-Windows-Security-Auditing","record_id":"`...)
	h.record++
	b = appendUint(b, uint64(h.record))
	b = append(b, `","task":"Logon"}}`...)
	return b
}
