package gen

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
)

// exeR is an exeSpec rendered to JSON fragments once at start-up.
type exeR struct {
	spec          *exeSpec
	name, exe     string // escaped
	hash, sig, pe string // fragments ending in ','; empty when absent
}

// cmdR is one command-line variant with its argv.
type cmdR struct {
	cmd  tmpl
	args []tmpl
}

func baseName(p string) string {
	if i := strings.LastIndexAny(p, `\/`); i >= 0 {
		return p[i+1:]
	}
	return p
}

func renderExe(s *exeSpec, os osKind) *exeR {
	r := &exeR{spec: s, name: esc(baseName(s.path)), exe: esc(s.path)}
	// Hashes are derived from the path so that a binary has the same
	// hash on every host, as a real fleet's identical installs do.
	s2 := sha256.Sum256([]byte(s.path))
	r.hash = `"hash":{"sha256":"` + hex.EncodeToString(s2[:]) + `"},`
	switch os {
	case osWindows:
		if s.sig.subject != "" {
			cs := `{"exists":true,"status":"trusted","subject_name":"` + esc(s.sig.subject) + `","trusted":true}`
			r.sig = `"code_signature":` + cs + `,`
		}
		r.pe = `"pe":{"company":"` + esc(s.pe.company) + `","original_file_name":"` + esc(s.pe.orig) + `","product":"` + esc(s.pe.product) + `"},`
	case osMacOS:
		if s.sig.subject != "" {
			id := "com.apple." + strings.ToLower(strings.TrimSuffix(baseName(s.path), ".app"))
			team := s.sig.teamID
			if team == "" {
				r.sig = `"code_signature":{"exists":true,"signing_id":"` + esc(id) + `","status":"trusted","subject_name":"` + esc(s.sig.subject) + `","trusted":true},`
			} else {
				r.sig = `"code_signature":{"exists":true,"signing_id":"` + esc(id) + `","status":"trusted","subject_name":"` + esc(s.sig.subject) + `","team_id":"` + team + `","trusted":true},`
			}
		}
	}
	return r
}

func renderCmd(cmd string) cmdR {
	c := cmdR{cmd: mkTmpl(cmd)}
	for _, a := range splitArgs(cmd) {
		c.args = append(c.args, mkTmpl(a))
	}
	return c
}

// catR is an osCatalog rendered for the hot path.
type catR struct {
	os        osKind
	roots     []rootR
	rootIdx   map[string]int
	children  []childR
	childPick *table
	nets      []netSpec
	netPick   *table
	files     []fileR
	filePick  *table
	regs      []regR
	regPick   *table
	libs      []libR
	libPick   *table
	dns       []dnsR
	dnsPick   *table
}

type rootR struct {
	spec   *rootSpec
	exe    *exeR
	cmd    cmdR
	cwd    tmpl
	parent int // index into roots, -1 for none
}

type childR struct {
	spec    *childSpec
	parent  int
	exe     *exeR
	cmds    []cmdR
	cmdPick *table
	cwd     tmpl
}

type fileR struct {
	actor  int
	action string
	typ    string // event.type as a JSON array
	path   tmpl
	dir    tmpl   // directory of the path
	name   tmpl   // last element
	ext    string // escaped, may be ""
}

type regR struct {
	actor                  int
	path, spath, key, data tmpl // spath: as Sysmon writes it
	value, hive            string
	typ                    string
}

type libR struct {
	actor int
	exe   *exeR
}

type dnsR struct {
	actor   int
	domains []string // escaped
	pick    *table
}

func weights[T any](xs []T, w func(T) uint64) *table {
	ws := make([]uint64, len(xs))
	for i, x := range xs {
		ws[i] = w(x)
	}
	return newTable(ws)
}

func renderCatalog(c *osCatalog, os osKind) *catR {
	r := &catR{os: os, rootIdx: map[string]int{}}
	for i := range c.roots {
		r.rootIdx[c.roots[i].key] = i
	}
	actor := func(k string) int {
		i, ok := r.rootIdx[k]
		if !ok {
			panic("gen: catalog names unknown root " + strconv.Quote(k))
		}
		return i
	}
	for i := range c.roots {
		s := &c.roots[i]
		p := -1
		if s.parent != "" {
			p = actor(s.parent)
		}
		r.roots = append(r.roots, rootR{spec: s, exe: renderExe(&s.exe, os), cmd: renderCmd(s.cmd), cwd: mkTmpl(s.cwd), parent: p})
	}
	for i := range c.children {
		s := &c.children[i]
		ch := childR{spec: s, parent: actor(s.parent), exe: renderExe(&s.exe, os), cwd: mkTmpl(s.cwd)}
		for _, cmd := range s.cmds {
			ch.cmds = append(ch.cmds, renderCmd(cmd))
		}
		ch.cmdPick = newTable(zipf(len(s.cmds)))
		r.children = append(r.children, ch)
	}
	if len(r.children) > 0 {
		r.childPick = weights(c.children, func(s childSpec) uint64 { return s.weight })
	}
	for _, n := range c.nets {
		actor(n.actor)
	}
	r.nets = c.nets
	if len(c.nets) > 0 {
		r.netPick = weights(c.nets, func(s netSpec) uint64 { return s.weight })
	}
	for _, f := range c.files {
		sep := "/"
		if os == osWindows {
			sep = `\`
		}
		i := strings.LastIndex(f.path, sep)
		name := f.path[i+1:]
		ext := ""
		if j := strings.LastIndexByte(name, '.'); j >= 0 && !strings.Contains(name[j:], "{") {
			ext = esc(name[j+1:])
		}
		typ := map[string]string{"creation": `["creation"]`, "modification": `["change"]`, "overwrite": `["change"]`, "rename": `["change"]`, "deletion": `["deletion"]`}[f.action]
		r.files = append(r.files, fileR{actor: actor(f.actor), action: f.action, typ: typ, path: mkTmpl(f.path), dir: mkTmpl(f.path[:i]), name: mkTmpl(name), ext: ext})
	}
	if len(c.files) > 0 {
		r.filePick = weights(c.files, func(s fileSpec) uint64 { return s.weight })
	}
	for _, g := range c.regs {
		i := strings.LastIndexByte(g.path, '\\')
		j := strings.IndexByte(g.path, '\\')
		hive := map[string]string{"HKEY_USERS": "HKU", "HKLM": "HKLM", "HKEY_LOCAL_MACHINE": "HKLM"}[g.path[:j]]
		r.regs = append(r.regs, regR{actor: actor(g.actor), path: mkTmpl(g.path), spath: mkTmpl(strings.Replace(g.path, `HKEY_USERS\`, `HKU\`, 1)), key: mkTmpl(g.path[j+1 : i]), value: esc(g.path[i+1:]), hive: hive, data: mkTmpl(g.data), typ: g.typ})
	}
	if len(c.regs) > 0 {
		r.regPick = weights(c.regs, func(s regSpec) uint64 { return s.weight })
	}
	for _, l := range c.libs {
		e := &exeSpec{path: l.path, sig: sigMSWin, pe: pe{orig: baseName(l.path), company: "Microsoft Corporation", desc: strings.TrimSuffix(baseName(l.path), ".dll"), product: "Microsoft® Windows® Operating System", version: "10.0.22621.4317 (WinBuild.160101.0800)"}}
		r.libs = append(r.libs, libR{actor: actor(l.actor), exe: renderExe(e, os)})
	}
	if len(c.libs) > 0 {
		r.libPick = weights(c.libs, func(s libSpec) uint64 { return s.weight })
	}
	for _, d := range c.dns {
		dr := dnsR{actor: actor(d.actor), pick: newTable(zipf(len(d.domains)))}
		for _, x := range d.domains {
			dr.domains = append(dr.domains, esc(x))
		}
		r.dns = append(r.dns, dr)
	}
	if len(c.dns) > 0 {
		r.dnsPick = weights(c.dns, func(s dnsSpec) uint64 { return s.weight })
	}
	return r
}
