package gen

import "strings"

// fleet is the part of the host layout that New needs (which OS each host
// runs and how it reports) before any event is written.
type fleet struct {
	os     []osKind
	sysmon []bool
}

// layoutFleet assigns operating systems in a fixed 7:2:1 pattern
// (Windows:Linux:macOS), hosts 0..2 taking one of each so small fleets still
// cover every OS, and marks a SysmonShare of Windows hosts (never host 0) as
// Sysmon-reporting.
func layoutFleet(cfg Config) *fleet {
	f := &fleet{os: make([]osKind, cfg.Hosts), sysmon: make([]bool, cfg.Hosts)}
	r := newRNG(cfg.Seed, 11)
	for i := range f.os {
		switch {
		case i < 3:
			f.os[i] = osKind(i)
		case i%10 <= 6:
			f.os[i] = osWindows
		case i%10 <= 8:
			f.os[i] = osLinux
		default:
			f.os[i] = osMacOS
		}
		f.sysmon[i] = f.os[i] == osWindows && i != 0 && r.float() < cfg.SysmonShare
	}
	return f
}

// eligible reports whether host i can produce events of kind k: registry,
// DNS and logon events come from Windows hosts only, and image loads only
// from Elastic Defend (Sysmon's event 7 is not a library event).
func (f *fleet) eligible(i int, k kind) bool {
	switch k {
	case kRegistry, kDNS, kAuth:
		return f.os[i] == osWindows
	case kLibrary:
		return f.os[i] == osWindows && !f.sysmon[i]
	}
	return true
}

func (f *fleet) canProduce(k kind) bool {
	for i := range f.os {
		if f.eligible(i, k) {
			return true
		}
	}
	return false
}

// user is an account, pre-escaped.
type user struct {
	name, domain, id string
	uid              string // numeric id on Linux/macOS
}

// proc is one process instance on a host.
type proc struct {
	exe    *exeR
	cmd    *cmdR
	cwd    *tmpl
	pid    int64
	eid    uint64 // seed of the entity id
	user   *user
	parent *proc
	integ  string // Windows integrity level name
}

// host is a machine of the fleet with its pre-rendered JSON fragments and
// its process state.
type host struct {
	idx    int
	os     osKind
	sysmon bool
	cat    *catR

	name, fqdn, id, ip string
	site               int
	frag               string // "host":{...},
	agent              string // "agent":{...},

	usr, sys *user
	roots    []proc
	recent   [8]*proc // recently started children, a ring
	nrecent  int
	rhead    int
	nextPID  int64
	seq      int64 // Elastic Defend event.sequence
	record   int64 // winlog.record_id
}

var (
	firstNames = []string{"james", "mary", "robert", "patricia", "john", "jennifer", "michael", "linda", "david", "elizabeth", "william", "barbara", "richard", "susan", "joseph", "jessica", "thomas", "sarah", "chris", "karen", "daniel", "lisa", "matthew", "nancy", "anthony", "betty", "mark", "sandra", "paul", "ashley", "steven", "emily", "andrew", "donna", "kevin", "michelle", "brian", "carol", "george", "amanda"}
	lastNames  = []string{"smith", "johnson", "williams", "brown", "jones", "garcia", "miller", "davis", "rodriguez", "martinez", "hernandez", "lopez", "gonzalez", "wilson", "anderson", "thomas", "taylor", "moore", "jackson", "martin", "lee", "perez", "thompson", "white", "harris", "sanchez", "clark", "ramirez", "lewis", "robinson", "walker", "young", "allen", "king", "wright", "scott", "torres", "nguyen", "hill", "flores"}
	depts      = []string{"FIN", "HR", "ENG", "SLS", "MKT", "OPS", "LEG", "IT", "SUP", "RND"}
	roles      = []string{"web", "api", "db", "worker", "cache", "batch"}
)

const sidPrefix = "S-1-5-21-3623811015-3361044348-30300820-"

func newHost(idx int, f *fleet, r *rng, cats *[numOS]*catR) *host {
	h := &host{idx: idx, os: f.os[idx], sysmon: f.sysmon[idx], site: 10 * (1 + idx%4)}
	h.cat = cats[h.os]
	first, last := firstNames[r.intn(len(firstNames))], lastNames[r.intn(len(lastNames))]
	uname := first[:1] + last
	h.ip = "10." + itoa(h.site) + "." + itoa(1+idx/4/250) + "." + itoa(2+idx/4%250)
	var b []byte
	b = appendHex(b, r, 32)
	hid := string(b)
	uuid := hid[:8] + "-" + hid[8:12] + "-" + hid[12:16] + "-" + hid[16:20] + "-" + hid[20:32]
	b = appendHex(b[:0], r, 32)
	aid := string(b[:8]) + "-" + string(b[8:12]) + "-" + string(b[12:16]) + "-" + string(b[16:20]) + "-" + string(b[20:32])
	b = appendHex(b[:0], r, 6)
	mac := strings.ToUpper("00-50-56-" + string(b[0:2]) + "-" + string(b[2:4]) + "-" + string(b[4:6]))
	var osFrag string
	switch h.os {
	case osWindows:
		h.name = "WS-" + depts[idx%len(depts)] + "-" + pad4(idx)
		h.fqdn = strings.ToLower(h.name) + ".contoso.local"
		h.usr = &user{name: uname, domain: "CONTOSO", id: sidPrefix + itoa(1100+idx)}
		h.sys = &user{name: "SYSTEM", domain: "NT AUTHORITY", id: "S-1-5-18"}
		if h.sysmon {
			osFrag = `"os":{"build":"22631.4317","family":"windows","kernel":"10.0.22621.4317","name":"Windows 11 Enterprise","platform":"windows","type":"windows","version":"10.0"}`
		} else {
			osFrag = `"os":{"family":"windows","kernel":"23H2 (10.0.22631.4317)","name":"Windows","platform":"windows","type":"windows","version":"23H2"}`
		}
	case osLinux:
		h.name = roles[idx%len(roles)] + "-prod-" + pad4(idx)
		h.fqdn = h.name
		h.usr = &user{name: "svc-app", id: "1001", uid: "1001"}
		h.sys = &user{name: "root", id: "0", uid: "0"}
		osFrag = `"os":{"family":"ubuntu","kernel":"5.15.0-119-generic","name":"Linux","platform":"ubuntu","type":"linux","version":"22.04.4"}`
	case osMacOS:
		h.name = "MBP-" + strings.ToUpper(uname) + "-" + pad4(idx)
		h.fqdn = h.name
		h.usr = &user{name: uname, id: "501", uid: "501"}
		h.sys = &user{name: "root", id: "0", uid: "0"}
		osFrag = `"os":{"family":"macos","kernel":"23.6.0","name":"macOS","platform":"macos","type":"macos","version":"14.6.1"}`
	}
	h.id = uuid
	h.frag = `"host":{"architecture":"x86_64","hostname":"` + h.name + `","id":"` + h.id + `","ip":["` + h.ip + `"],"mac":["` + mac + `"],"name":"` + h.name + `",` + osFrag + `},`
	if h.sysmon {
		h.agent = `"agent":{"id":"` + aid + `","name":"` + h.name + `","type":"filebeat","version":"8.15.3"},`
	} else {
		h.agent = `"agent":{"id":"` + aid + `","type":"endpoint","version":"8.15.3"},`
	}
	h.nextPID = 1000 + int64(r.intn(4000))*4
	// roots: long-running processes started before the corpus
	h.roots = make([]proc, len(h.cat.roots))
	for i := range h.cat.roots {
		rr := &h.cat.roots[i]
		p := &h.roots[i]
		p.exe, p.cmd, p.cwd = rr.exe, &rr.cmd, &rr.cwd
		p.pid = h.allocPID(r)
		p.eid = r.u64()
		p.user = h.usr
		p.integ = "medium"
		if rr.exe.spec.sys {
			p.user = h.sys
			p.integ = "system"
		}
		if rr.parent >= 0 {
			p.parent = &h.roots[rr.parent]
		}
	}
	if h.os == osLinux && len(h.roots) > 0 {
		h.roots[0].pid = 1
	}
	if h.os == osMacOS && len(h.roots) > 0 {
		h.roots[0].pid = 1
	}
	return h
}

func (h *host) allocPID(r *rng) int64 {
	switch h.os {
	case osWindows:
		h.nextPID += 4 * int64(1+r.intn(64))
		if h.nextPID > 60000 {
			h.nextPID = 1000 + h.nextPID%4000
		}
	default:
		h.nextPID += int64(1 + r.intn(40))
		if h.nextPID > 4_000_000 {
			h.nextPID = 1000
		}
	}
	return h.nextPID
}

// remember records a started child so that a later "end" event can refer
// to it.
func (h *host) remember(p *proc) {
	h.recent[(h.rhead+h.nrecent)%len(h.recent)] = p
	if h.nrecent < len(h.recent) {
		h.nrecent++
	} else {
		h.rhead = (h.rhead + 1) % len(h.recent)
	}
}

// forget removes and returns the oldest remembered child.
func (h *host) forget() *proc {
	if h.nrecent == 0 {
		return nil
	}
	p := h.recent[h.rhead]
	h.recent[h.rhead] = nil
	h.rhead = (h.rhead + 1) % len(h.recent)
	h.nrecent--
	return p
}

func itoa(i int) string { return string(appendUint(nil, uint64(i))) }

func pad4(i int) string {
	s := itoa(i % 10000)
	for len(s) < 4 {
		s = "0" + s
	}
	return s
}
