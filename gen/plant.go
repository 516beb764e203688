package gen

import (
	"fmt"
	"math"
	"sort"
	"sync"
	"time"
)

// An incident is one planted attack: the events that make one production
// rule fire once. The table below is the single place to change what gets
// planted; Manifest is derived from it. Each incident was checked to fire
// its own rule and no other production EQL rule.
type incident struct {
	ruleID, name string
	os           osKind
	sequence     bool // the rule is an EQL sequence: one alert per incident
	steps        []step
}

type stepKind uint8

const (
	stepStart stepKind = iota // a process starts
	stepEnd                   // a process (started before the corpus) ends
	stepConn                  // a network connection
)

// step is one event of an incident.
type step struct {
	after time.Duration // offset from the incident's first event
	kind  stepKind

	// process steps: the process and where it hangs in the tree
	exe    exeSpec
	cmd    string
	cwd    string
	system bool   // runs as SYSTEM/root
	integ  string // Windows integrity level when not system ("high" for an elevated admin)
	// parent: the root with this key, or "prev" for the process of the
	// previous process step, or "" for a pseudo parent described by
	// pExe/pCmd, itself a child of the root pRoot (a shell that was opened
	// before the corpus begins).
	parent string
	pExe   exeSpec
	pCmd   string
	pRoot  string

	// connection steps; actor "system" is the Windows kernel (pid 4)
	actor   string
	ingress bool
	port    int
	peer    peerKind
}

var (
	cmdExe   = winSys("cmd.exe", "Windows Command Processor")
	cmdShell = `"C:\Windows\system32\cmd.exe" `
	bashExe  = exeSpec{path: "/usr/bin/bash"}
	zshExe   = exeSpec{path: "/bin/zsh", sig: sigApple}
)

// elevated returns a process step run from an administrator's cmd.exe
// opened from Explorer, the usual shape of hands-on-keyboard activity.
func elevated(name, desc, cmd string) step {
	return step{kind: stepStart, exe: winSys(name, desc), cmd: cmd, cwd: `C:\Windows\system32\`, integ: "high",
		pExe: cmdExe, pCmd: cmdShell, pRoot: "explorer"}
}

func bashStep(path, cmd string) step {
	return step{kind: stepStart, exe: exeSpec{path: path, sys: true}, cmd: cmd, cwd: "/root", system: true,
		pExe: exeSpec{path: bashExe.path, sys: true}, pCmd: "-bash", pRoot: "sshd"}
}

// incidents is the planted-attack table.
var incidents = []incident{
	{
		ruleID: "2772264c-6fb9-4d9d-9014-b416eed21254", name: "Incoming Execution via PowerShell Remoting",
		os: osWindows, sequence: true,
		steps: []step{
			{kind: stepConn, actor: "system", ingress: true, port: 5985, peer: peerAdmin},
			{after: 1200 * time.Millisecond, kind: stepStart, exe: winSys("wsmprovhost.exe", "Host process for WinRM plug-ins"),
				cmd: `C:\Windows\system32\wsmprovhost.exe -Embedding`, cwd: `C:\Windows\system32\`, integ: "high", parent: "svchost-dcom"},
			{after: 4 * time.Second, kind: stepStart, exe: winSys("gpupdate.exe", "Microsoft® Windows® GPUpdate"),
				cmd: `"C:\Windows\system32\gpupdate.exe" /force`, cwd: `C:\Users\{u}\Documents\`, integ: "high", parent: "prev"},
		},
	},
	{
		ruleID: "581add16-df76-42bb-af8e-c979bfb39a59", name: "Backup Deletion with Wbadmin", os: osWindows,
		steps: []step{elevated("wbadmin.exe", "Command Line Interface for Microsoft® BLB Backup", `wbadmin  delete catalog -quiet`)},
	},
	{
		ruleID: "b5ea4bfe-a1b2-421f-9d47-22a75a6f2921", name: "Volume Shadow Copy Deleted or Resized via VssAdmin", os: osWindows,
		steps: []step{elevated("vssadmin.exe", "Command Line Interface for Microsoft® Volume Shadow Copy Service ", `vssadmin.exe delete shadows /all /quiet`)},
	},
	{
		ruleID: "d331bbe2-6db4-4941-80a5-8270db72eb61", name: "Clearing Windows Event Logs", os: osWindows,
		steps: []step{elevated("wevtutil.exe", "Eventing Command Line Utility", `wevtutil.exe cl Application`)},
	},
	{
		ruleID: "69c251fb-a5d6-4035-b5ec-40438bd829ff", name: "Modification of Boot Configuration", os: osWindows,
		steps: []step{elevated("bcdedit.exe", "Boot Configuration Data Editor", `bcdedit.exe /set {default} recoveryenabled no`)},
	},
	{
		ruleID: "fd70c98a-c410-42dc-a2e3-761c71848acf", name: "Suspicious CertUtil Commands", os: osWindows,
		steps: []step{elevated("certutil.exe", "CertUtil.exe", `certutil.exe -decode C:\Users\Public\Documents\invoice.txt C:\Users\Public\Documents\invoice.pdf`)},
	},
	{
		ruleID: "4630d948-40d4-4cef-ac69-4002e29bc3db", name: "Adding Hidden File Attribute via Attrib", os: osWindows,
		steps: []step{elevated("attrib.exe", "Attribute Utility", `attrib.exe +h C:\Users\Public\Documents\invoice.pdf`)},
	},
	{
		ruleID: "eb9eb8ba-a983-41d9-9c93-a1c05112ca5e", name: "Potential Disabling of SELinux", os: osLinux,
		steps: []step{bashStep("/usr/sbin/setenforce", "setenforce 0")},
	},
	{
		ruleID: "09073bf4-a8ea-4bce-9fd5-2bb56b4d31f4", name: "Attempt to Clear Logs via Journalctl", os: osLinux,
		steps: []step{bashStep("/usr/bin/journalctl", "journalctl --vacuum-time=1s")},
	},
	{
		ruleID: "9eaa3fb1-3f70-48ed-bb0e-d7ae4d3c8f28", name: "Potential SSH Password Grabbing via strace", os: osLinux, sequence: true,
		steps: []step{
			{kind: stepEnd, exe: exeSpec{path: "/usr/sbin/sshd", sys: true}, cmd: "sshd: deploy [priv]", cwd: "/", system: true, parent: "sshd"},
			{after: 1500 * time.Millisecond, kind: stepStart, exe: exeSpec{path: "/usr/bin/strace", sys: true}, cmd: "strace -f -p 1 -e trace=read,write -o /var/tmp/.s.log",
				cwd: "/root", system: true, pExe: exeSpec{path: bashExe.path, sys: true}, pCmd: "-bash", pRoot: "sshd"},
		},
	},
	{
		ruleID: "4da13d6e-904f-4636-81d8-6ab14b4e6ae9", name: "Attempt to Disable Gatekeeper", os: osMacOS,
		steps: []step{{kind: stepStart, exe: exeSpec{path: "/usr/sbin/spctl", sig: sigApple, sys: true}, cmd: "spctl --master-disable", cwd: "/Users/{u}", system: true,
			pExe: zshExe, pCmd: "-zsh", pRoot: "launchd"}},
	},
}

// incidentR is an incident rendered for the hot path.
type incidentR struct {
	*incident
	exes  []*exeR // per step
	pExes []*exeR
	cmds  []cmdR
	pCmds []cmdR
	cwds  []tmpl
}

var (
	incOnce     sync.Once
	incRendered []incidentR
)

func renderedIncidents() []incidentR {
	incOnce.Do(func() {
		for i := range incidents {
			in := &incidents[i]
			ir := incidentR{incident: in}
			for j := range in.steps {
				s := &in.steps[j]
				ir.exes = append(ir.exes, renderExe(&s.exe, in.os))
				ir.pExes = append(ir.pExes, renderExe(&s.pExe, in.os))
				ir.cmds = append(ir.cmds, renderCmd(s.cmd))
				ir.pCmds = append(ir.pCmds, renderCmd(s.pCmd))
				ir.cwds = append(ir.cwds, mkTmpl(s.cwd))
			}
			incRendered = append(incRendered, ir)
		}
	})
	return incRendered
}

// IncidentInfo describes one entry of the planted-attack table.
type IncidentInfo struct {
	RuleID   string // the Elastic rule the incident fires
	Name     string // the rule's name
	OS       string // "windows", "linux" or "macos"
	Sequence bool   // the rule is a sequence: one alert per incident
	Events   int    // events the incident writes
}

// Incidents returns the planted-attack table in planting order.
func Incidents() []IncidentInfo {
	out := make([]IncidentInfo, len(incidents))
	for i, in := range incidents {
		out[i] = IncidentInfo{RuleID: in.ruleID, Name: in.name, OS: in.os.String(), Sequence: in.sequence, Events: len(in.steps)}
	}
	return out
}

// sequenceGap is the least time between two copies of one sequence
// incident on one host: longer than every planted sequence's maxspan.
const sequenceGap = 2 * time.Minute

// planted is one incident placed in the corpus.
type planted struct {
	inc   int   // index into incidents
	host  int   // host index
	slots []int // slot of each step
	seed  uint64
}

type slotRef struct{ slot, plant, stage int }

func (g *Generator) layoutPlants(f *fleet) error {
	cfg := g.cfg
	if cfg.PlantEvery < 0 || cfg.Events == 0 {
		return nil
	}
	var kinds []int
	if cfg.Plants == nil {
		if cfg.Events < MinPlantedEvents {
			return nil
		}
		for i := range incidents {
			kinds = append(kinds, i)
		}
	} else {
		for _, id := range cfg.Plants {
			found := -1
			for i := range incidents {
				if incidents[i].ruleID == id {
					found = i
				}
			}
			if found < 0 {
				return fmt.Errorf("gen: no planted incident for rule %q", id)
			}
			kinds = append(kinds, found)
		}
	}
	if len(kinds) == 0 {
		return nil
	}
	n := max(len(kinds), cfg.Events/cfg.PlantEvery)
	spacing := cfg.Events / n
	hostsByOS := [numOS][]int{}
	for i := range f.os {
		if !f.sysmon[i] { // incidents are written as Elastic Defend sees them
			hostsByOS[f.os[i]] = append(hostsByOS[f.os[i]], i)
		}
	}
	// Incident j starts in the middle of the j-th of n equal stretches of
	// the corpus. Long incidents may overlap the next stretch; their events
	// then interleave with another incident's, on another slot.
	if spacing < 1 {
		return fmt.Errorf("gen: %d events are too few for %d incidents", cfg.Events, n)
	}
	used := map[int]bool{}
	lastOn := map[[2]int]int{} // (incident, host) -> base slot of the latest copy
	r := newRNG(cfg.Seed, 3)
	for j := 0; j < n; j++ {
		in := &incidents[kinds[j%len(kinds)]]
		hs := hostsByOS[in.os]
		if len(hs) == 0 {
			return fmt.Errorf("gen: incident %s needs a %s host running Elastic Defend; the fleet of %d hosts has none", in.ruleID, in.os, cfg.Hosts)
		}
		// late incidents are pulled back so that they end inside the corpus
		span := int(math.Ceil(in.steps[len(in.steps)-1].after.Seconds()*cfg.Rate)) + 4*len(in.steps)
		base := max(0, min(j*spacing+spacing/2, cfg.Events-1-span))
		// Two copies of one sequence on one host close in time would merge
		// into fewer sequences than incidents, so such a host is skipped.
		h0 := r.intn(len(hs))
		p := planted{inc: kinds[j%len(kinds)], host: -1, seed: r.u64()}
		for try := 0; try < len(hs); try++ {
			h := hs[(h0+try)%len(hs)]
			last, seen := lastOn[[2]int{p.inc, h}]
			if !in.sequence || !seen || float64(base-last)/cfg.Rate > sequenceGap.Seconds() {
				p.host = h
				break
			}
		}
		if p.host < 0 {
			return fmt.Errorf("gen: incidents of %s are too dense for %d hosts: raise PlantEvery", in.ruleID, cfg.Hosts)
		}
		lastOn[[2]int{p.inc, p.host}] = base
		prev := -1
		for _, s := range in.steps {
			slot := max(base+int(math.Ceil(s.after.Seconds()*cfg.Rate)), prev+1)
			for used[slot] {
				slot++
			}
			if slot >= cfg.Events {
				return fmt.Errorf("gen: %d events are too few for %d incidents at rate %v/s (incident %s does not fit)", cfg.Events, n, cfg.Rate, in.ruleID)
			}
			used[slot] = true
			p.slots = append(p.slots, slot)
			prev = slot
		}
		g.plants = append(g.plants, p)
	}
	for i, p := range g.plants {
		for k, s := range p.slots {
			g.slots = append(g.slots, slotRef{slot: s, plant: i, stage: k})
		}
	}
	sort.Slice(g.slots, func(a, b int) bool { return g.slots[a].slot < g.slots[b].slot })
	return nil
}

// plantState is carried between the steps of one incident while writing.
type plantState struct {
	prev *proc
}

// plantEvent writes step k of planted incident p. Planted events use their
// own random stream so that the noise around them does not depend on them,
// and their timestamps are exactly their slot times, which Manifest reports.
func (r *run) plantEvent(b []byte, p *planted, k int, t int64) []byte {
	t = r.g.slotTime(p.slots[k])
	ir := &renderedIncidents()[p.inc]
	h := r.hosts[p.host]
	if r.plantStates == nil {
		r.plantStates = map[*planted]*plantState{}
	}
	st := r.plantStates[p]
	if st == nil {
		st = &plantState{}
		r.plantStates[p] = st
	}
	if k == len(p.slots)-1 {
		delete(r.plantStates, p)
	}
	pr := newRNG(p.seed, uint64(k))
	s := &ir.steps[k]
	switch s.kind {
	case stepConn:
		actor := &proc{exe: systemExe, pid: 4, eid: pr.u64(), user: h.sys}
		if s.actor != "system" {
			actor = &h.roots[h.cat.rootIdx[s.actor]]
		}
		return r.connection(b, h, actor, s.ingress, "tcp", s.port, s.peer, false, t)
	}
	var parent *proc
	switch s.parent {
	case "prev":
		parent = st.prev
	case "":
		parent = &proc{exe: ir.pExes[k], cmd: &ir.pCmds[k], cwd: &ir.cwds[k], pid: h.allocPID(pr), eid: pr.u64(), user: h.usr, integ: "high",
			parent: &h.roots[h.cat.rootIdx[s.pRoot]]}
		if s.pExe.sys {
			parent.user = h.sys
		}
	default:
		parent = &h.roots[h.cat.rootIdx[s.parent]]
	}
	p2 := &proc{exe: ir.exes[k], cmd: &ir.cmds[k], cwd: &ir.cwds[k], pid: h.allocPID(pr), eid: pr.u64(), user: h.usr, integ: s.integ, parent: parent}
	if s.system {
		p2.user, p2.integ = h.sys, "system"
	}
	st.prev = p2
	if s.kind == stepEnd {
		return r.processEnd(b, h, p2, t)
	}
	return r.processStart(b, h, p2, t)
}

var systemExe = &exeR{name: "System"}
