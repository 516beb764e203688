package ecs

import (
	"strings"
)

// sysmon follows sysmon_operational/default.yml processor by processor.
// Comments name the pipeline section; order matters because renames do not
// overwrite (first writer wins) while convert and set do.
func (c *ctx) sysmon() {
	d := c.d
	// "Remove all empty values from event_data."
	for i := range *c.ed {
		e := &(*c.ed)[i]
		switch e.value {
		case "", "-", "{00000000-0000-0000-0000-000000000000}":
			e.gone = true
		}
	}
	// date winlog.event_data.UtcTime → @timestamp (ignore_failure).
	if v, ok := c.get("UtcTime"); ok {
		if t, ok := parseUtcTime(v); ok {
			d.SetTime("@timestamp", t.UnixNano())
		} else {
			c.note("winlog.event_data.UtcTime: not a time: " + quoteShort(v) + "; @timestamp from TimeCreated")
		}
	}
	// "Add ECS categorization fields"
	if s := c.spec; s != nil {
		c.setCategorization(s)
	}
	code := c.code
	if code == "255" {
		if v, ok := c.nonEmpty("ID"); ok {
			d.SetString("error.code", v)
			c.remove("ID")
		}
	}
	c.rename("RuleName", "rule.name")
	if code == "25" {
		c.rename("Type", "message")
	}
	if v, ok := c.nonEmpty("Hash"); ok && !c.has("Hashes") {
		c.remove("Hash")
		c.put("Hashes", v)
	}
	hashes := c.parseHashes()

	// Process fields.
	if hashes != nil && (code == "1" || code == "23" || code == "24" || code == "25") {
		c.setHashes("process", hashes)
		hashes = nil
	}
	c.rename("ProcessGuid", "process.entity_id")
	c.convertLong("ProcessId", "process.pid")
	c.rename("Image", "process.executable")
	c.rename("SourceProcessGuid", "process.entity_id")
	c.rename("SourceProcessGUID", "process.entity_id")
	c.convertLong("SourceProcessId", "process.pid")
	c.convertLong("SourceThreadId", "process.thread.id")
	c.rename("SourceImage", "process.executable")
	c.rename("Destination", "process.executable")
	c.rename("CommandLine", "process.command_line")
	c.rename("CurrentDirectory", "process.working_directory")
	c.rename("ParentProcessGuid", "process.parent.entity_id")
	c.convertLong("ParentProcessId", "process.parent.pid")
	c.rename("ParentImage", "process.parent.executable")
	c.rename("ParentCommandLine", "process.parent.command_line")
	if code != "7" {
		c.rename("OriginalFileName", "process.pe.original_file_name")
		c.copyTo("Company", "process.pe.company")
		c.copyTo("Description", "process.pe.description")
		c.copyTo("FileVersion", "process.pe.file_version")
		c.copyTo("Product", "process.pe.product")
	}
	c.setArgs(&procFields)
	c.setArgs(&parentFields)
	setProcessName(d, &procFields)
	setProcessName(d, &parentFields)

	// File fields.
	if hashes != nil && (code == "6" || code == "7" || code == "15" || code == "26" || code == "29") {
		c.setHashes("file", hashes)
	}
	c.rename("TargetFilename", "file.path")
	c.rename("Device", "file.path")
	c.rename("PipeName", "file.name")
	c.rename("ImageLoaded", "file.path")
	c.copyTo("Signature", "file.code_signature.subject_name")
	c.copyTo("SignatureStatus", "file.code_signature.status")
	if code == "7" {
		c.rename("OriginalFileName", "file.pe.original_file_name")
		c.copyTo("Company", "file.pe.company")
		c.copyTo("Description", "file.pe.description")
		c.copyTo("FileVersion", "file.pe.file_version")
		c.copyTo("Product", "file.pe.product")
	}
	// file.code_signature.signed is set only when Signed is the boolean
	// true; event_data values are strings, so the pipeline never sets it.
	if v, _ := c.get("SignatureStatus"); v == "Valid" {
		d.SetBool("file.code_signature.valid", true)
	}
	if p, ok := d.String("file.path"); ok && len(p) > 1 {
		setFileParts(d, p, true)
	}

	// Network, Destination, and Source fields.
	c.rename("Protocol", "network.transport")
	if code != "22" {
		c.rename("DestinationPortName", "network.protocol")
		c.rename("SourcePortName", "network.protocol")
	} else {
		d.SetString("network.protocol", "dns")
	}
	c.convertIP("SourceIp", "source.ip")
	c.rename("SourceHostname", "source.domain")
	c.convertLong("SourcePort", "source.port")
	c.convertIP("DestinationIp", "destination.ip")
	c.rename("DestinationHostname", "destination.domain")
	c.convertLong("DestinationPort", "destination.port")
	c.rename("QueryName", "dns.question.name")
	switch v, _ := c.get("Initiated"); v {
	case "true":
		d.SetString("network.direction", "egress")
	case "false":
		d.SetString("network.direction", "ingress")
	}
	switch v, _ := c.get("SourceIsIpv6"); v {
	case "false":
		d.SetString("network.type", "ipv4")
	case "true":
		d.SetString("network.type", "ipv6")
	}
	if v, ok := c.nonEmpty("QueryResults"); ok {
		c.dnsAnswers(v)
	}
	if q, ok := d.String("dns.question.name"); ok && q != "" {
		d.appendUnique("related.hosts", q)
	}
	// foreach dns.resolved_ip → related.ip
	if n := d.lookup("dns.resolved_ip"); n >= 0 {
		for ch := d.nodes[n].first; ch >= 0; ch = d.nodes[ch].next {
			d.appendUnique("related.ip", d.nodes[ch].str)
		}
	}
	c.communityID()

	// User fields.
	if c.r.UserID != "" {
		d.SetString("user.id", c.r.UserID)
	}
	if v, ok := c.get("User"); ok {
		setDomainUser(d, v, userF)
	}

	// Sysmon fields.
	if v, ok := c.nonEmpty("QueryStatus"); ok {
		c.remove("QueryStatus")
		if s, ok := sysmonDNSStatus[v]; ok {
			v = s
		}
		d.SetString("sysmon.dns.status", v)
	}
	c.convertBool("Archived", "sysmon.file.archived")
	c.convertBool("IsExecutable", "sysmon.file.is_executable")

	// Related fields.
	if v, ok := d.String("user.name"); ok && v != "" {
		d.appendUnique("related.user", v)
	}
	if v, ok := d.String("source.ip"); ok && v != "" {
		d.appendUnique("related.ip", v)
	}
	if v, ok := d.String("destination.ip"); ok && v != "" {
		d.appendUnique("related.ip", v)
	}

	// Registry fields.
	if code == "12" || code == "13" || code == "14" {
		if v, ok := c.nonEmpty("TargetObject"); ok {
			c.registry(v)
		}
	}

	// Conformity.
	if v, ok := c.get("TargetProcessGuid"); ok {
		c.remove("TargetProcessGuid")
		c.put("TargetProcessGUID", v)
	}

	// Cleanup.
	for _, f := range sysmonCleanup {
		c.remove(f)
	}
	c.dropEmpty(true)
}

var sysmonCleanup = []string{
	"ProcessId", "ParentProcessId", "SourceProcessId", "SourceThreadId",
	"SourceIp", "SourcePort", "SourcePortName", "DestinationIp",
	"DestinationPort", "DestinationPortName", "RuleName", "User", "Initiated",
	"SourceIsIpv6", "DestinationIsIpv6", "QueryStatus", "Archived",
	"IsExecutable", "QueryResults", "UtcTime", "Hash", "Hashes", "TargetObject",
}

// dropEmpty is the final "Remove all empty values from event_data" step;
// dash also removes "-" (Sysmon's version does, PowerShell's does not).
func (c *ctx) dropEmpty(dash bool) {
	for i := range *c.ed {
		e := &(*c.ed)[i]
		if !e.isList && (e.value == "" || dash && e.value == "-") {
			e.gone = true
		}
	}
}

func (c *ctx) setCategorization(s *Mapping) {
	d := c.d
	if s.Category != nil {
		d.SetStrings("event.category", s.Category...)
	}
	if s.Type != nil {
		d.SetStrings("event.type", s.Type...)
	}
	if s.Action != "" {
		d.SetString("event.action", s.Action)
	}
	if s.Outcome != nil {
		d.SetStrings("event.outcome", s.Outcome...)
	}
}

// convertBool is the convert processor (type boolean, ignore_failure):
// "true"/"false" in any case.
func (c *ctx) convertBool(name, field string) {
	v, ok := c.nonEmpty(name)
	if !ok {
		return
	}
	switch strings.ToLower(v) {
	case "true":
		c.d.SetBool(field, true)
	case "false":
		c.d.SetBool(field, false)
	default:
		c.note("winlog.event_data." + name + ": not a boolean: " + quoteShort(v))
	}
}

type hashKV struct{ k, v string }

// parseHashes is the kv processor on Hashes (field_split ",",
// value_split "=") and the script that lower-cases keys and values, drops
// empty or all-zero hashes and fills related.hash. A part without "=" makes
// the kv processor fail, and with ignore_failure no hash is kept at all.
func (c *ctx) parseHashes() []hashKV {
	v, ok := c.get("Hashes")
	if !ok {
		return nil
	}
	var out []hashKV
	for part := range strings.SplitSeq(v, ",") {
		if part == "" {
			continue // Java's split drops empty trailing parts
		}
		k, val, ok := strings.Cut(part, "=")
		if !ok {
			c.note("winlog.event_data.Hashes: part without '=': " + quoteShort(part) + "; no hash mapped")
			return nil
		}
		k, val = strings.ToLower(k), strings.ToLower(val)
		if strings.Trim(val, "0") == "" {
			continue
		}
		out = append(out, hashKV{k, val})
	}
	for _, h := range out {
		c.d.appendUnique("related.hash", h.v)
	}
	if out == nil {
		return []hashKV{}
	}
	return out
}

func (c *ctx) setHashes(prefix string, hs []hashKV) {
	for _, h := range hs {
		// Constant paths for the usual names: a concatenated path would
		// be allocated (its segments are kept as keys).
		p, ok := hashPaths[prefix+"\x00"+h.k]
		if !ok {
			p = prefix + ".hash." + h.k
		}
		c.d.SetString(p, h.v)
	}
}

var hashPaths = func() map[string]string {
	m := map[string]string{}
	for _, prefix := range []string{"process", "file"} {
		for _, k := range []string{"md5", "sha1", "sha256", "sha384", "sha512", "ssdeep", "tlsh"} {
			m[prefix+"\x00"+k] = prefix + ".hash." + k
		}
		m[prefix+"\x00imphash"] = prefix + ".pe.imphash"
	}
	return m
}()

// processFields names the fields of process or process.parent; constant
// paths keep the hot path free of string concatenation.
type processFields struct{ commandLine, args, argsCount, executable, name string }

var (
	procFields   = processFields{"process.command_line", "process.args", "process.args_count", "process.executable", "process.name"}
	parentFields = processFields{"process.parent.command_line", "process.parent.args", "process.parent.args_count", "process.parent.executable", "process.parent.name"}
)

// setArgs is the "Implements Windows-like SplitCommandLine" script.
func (c *ctx) setArgs(f *processFields) {
	cmd, ok := c.d.String(f.commandLine)
	if !ok || cmd == "" {
		return
	}
	c.m.argv = appendArgv(c.m.argv[:0], cmd)
	c.d.SetStrings(f.args, c.m.argv...)
	c.d.SetInt(f.argsCount, int64(len(c.m.argv)))
}

// setProcessName is the "Adds process name information." script: the part
// after the last backslash, only when there is one.
func setProcessName(d *Doc, f *processFields) {
	exe, ok := d.String(f.executable)
	if !ok || len(exe) <= 1 || d.Has(f.name) {
		return
	}
	if i := strings.LastIndexByte(exe, '\\'); i >= 0 && i+1 < len(exe) {
		d.SetString(f.name, exe[i+1:])
	}
}

// setFileParts is the "Adds file information." script: name and directory
// around the last backslash, extension after the last dot of the whole
// path (so a dot in a directory name yields an odd extension, as in
// Elastic).
func setFileParts(d *Doc, path string, requireSlash bool) {
	i := strings.LastIndexByte(path, '\\')
	if i < 0 && requireSlash {
		return
	}
	d.SetString("file.name", path[i+1:])
	d.SetString("file.directory", path[:max(i, 0)])
	if j := strings.LastIndexByte(path, '.'); j >= 0 {
		d.SetString("file.extension", path[j+1:])
	}
}

// userFields names <x>.domain and <x>.name for setDomainUser.
type userFields struct{ domain, name string }

var (
	userF       = userFields{"user.domain", "user.name"}
	sourceUserF = userFields{"source.user.domain", "source.user.name"}
)

// setDomainUser is the split of "DOMAIN\name" on the backslash: only a
// value with exactly two non-trailing parts sets the domain and name.
func setDomainUser(d *Doc, v string, f userFields) bool {
	dom, name, ok := strings.Cut(v, `\`)
	if !ok || strings.Contains(name, `\`) {
		return false
	}
	// Java's String.split drops trailing empty strings: "DOM\" has one
	// part and sets nothing; ignore_empty_value skips an empty domain.
	if name == "" {
		return false
	}
	if dom != "" {
		d.SetString(f.domain, dom)
	}
	d.SetString(f.name, name)
	return true
}

// dnsAnswers is the QueryResults script plus the foreach steps after it.
func (c *ctx) dnsAnswers(v string) {
	d := c.d
	var ips []string
	for answer := range strings.SplitSeq(v, ";") {
		if answer == "" {
			continue
		}
		if strings.HasPrefix(answer, "type:") {
			parts := strings.Fields(answer)
			if len(parts) < 2 {
				// The script throws; the whole pipeline would fail.
				c.note("winlog.event_data.QueryResults: unexpected answer " + quoteShort(answer))
				continue
			}
			obj := d.appendObject("dns.answers")
			if t, ok := sysmonDNSTypes[parts[1]]; ok {
				d.objSet(obj, "type", t)
			}
			if len(parts) == 3 {
				d.objSet(obj, "data", parts[2])
				d.appendUnique("related.hosts", parts[2])
			}
			continue
		}
		ips = append(ips, answer)
	}
	for _, ip := range ips {
		// gsub strips ::ffff: from v4-mapped answers, then convert(ip)
		// drops what is not an address.
		n, ok := normalizeIP(stripV4Mapped(ip))
		if !ok {
			continue
		}
		d.appendUnique("dns.resolved_ip", n)
	}
	if a := d.lookup("dns.resolved_ip"); a >= 0 {
		for ch := d.nodes[a].first; ch >= 0; ch = d.nodes[ch].next {
			ip := d.nodes[ch].str
			typ := "A"
			if strings.IndexByte(ip, ':') >= 0 {
				typ = "AAAA"
			}
			obj := d.appendObject("dns.answers")
			d.objSet(obj, "type", typ)
			d.objSet(obj, "data", ip)
		}
	}
}

// stripV4Mapped is the pipeline's gsub
// ^\[?::ffff:(a.b.c.d)(?:\](?::[0-9]+)?)?$ → $1.
func stripV4Mapped(s string) string {
	t := strings.TrimPrefix(s, "[")
	if !strings.HasPrefix(t, "::ffff:") {
		return s
	}
	t = t[len("::ffff:"):]
	v4 := t
	if i := strings.IndexByte(t, ']'); i >= 0 {
		v4 = t[:i]
		rest := t[i+1:]
		if rest != "" {
			if rest[0] != ':' || len(rest) == 1 || strings.Trim(rest[1:], "0123456789") != "" {
				return s
			}
		}
	}
	if !isDottedQuad(v4) {
		return s
	}
	return v4
}

func isDottedQuad(s string) bool {
	parts := 0
	digits := 0
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; {
		case ch >= '0' && ch <= '9':
			digits++
		case ch == '.':
			if digits == 0 {
				return false
			}
			parts++
			digits = 0
		default:
			return false
		}
	}
	return parts == 3 && digits > 0
}

// registry is the "Set registry fields." script.
func (c *ctx) registry(path string) {
	d := c.d
	d.SetString("registry.path", path)
	first, rest, hasRest := strings.Cut(path, `\`)
	if hive, ok := registryHives[first]; ok {
		d.SetString("registry.hive", hive)
		if hasRest {
			// Java's split drops trailing empty parts before the join.
			d.SetString("registry.key", strings.TrimRight(rest, `\`))
		}
	}
	trimmed := strings.TrimRight(path, `\`)
	value := trimmed
	if i := strings.LastIndexByte(trimmed, '\\'); i >= 0 {
		value = trimmed[i+1:]
	}
	d.SetString("registry.value", value)

	data, ok := c.nonEmpty("Details")
	if !ok {
		return
	}
	if hi, lo, ok := matchQword(data); ok {
		// The pipeline combines the halves as (high << 8) + low, not
		// << 32; reproduced as is.
		d.SetStrings("registry.data.strings", formatInt((hi<<8)+lo))
		d.SetString("registry.data.type", "SZ_QWORD")
		return
	}
	if v, ok := matchDword(data); ok {
		d.SetStrings("registry.data.strings", formatInt(v))
		d.SetString("registry.data.type", "SZ_DWORD")
		return
	}
	typ := "REG_SZ"
	if data == "Binary Data" {
		typ = "REG_BINARY"
	}
	d.SetStrings("registry.data.strings", data)
	d.SetString("registry.data.type", typ)
}

var registryHives = map[string]string{
	"HKEY_CLASSES_ROOT": "HKCR", "HKCR": "HKCR",
	"HKEY_CURRENT_CONFIG": "HKCC", "HKCC": "HKCC",
	"HKEY_CURRENT_USER": "HKCU", "HKCU": "HKCU",
	"HKEY_DYN_DATA": "HKDD", "HKDD": "HKDD",
	"HKEY_LOCAL_MACHINE": "HKLM", "HKLM": "HKLM",
	"HKEY_PERFORMANCE_DATA": "HKPD", "HKPD": "HKPD",
	"HKEY_USERS": "HKU", "HKU": "HKU",
}

// matchDword matches (?i)DWORD \((0x[0-9A-F]{8})\) against the whole value.
func matchDword(s string) (int64, bool) {
	if len(s) != len("DWORD (0x00000000)") || !strings.EqualFold(s[:9], "DWORD (0x") || s[len(s)-1] != ')' {
		return 0, false
	}
	return hex8(s[9:17])
}

// matchQword matches (?i)QWORD \((0x[0-9A-F]{8})-(0x[0-9A-F]{8})\).
func matchQword(s string) (int64, int64, bool) {
	const n = len("QWORD (0x00000000-0x00000000)")
	if len(s) != n || !strings.EqualFold(s[:9], "QWORD (0x") || s[17] != '-' ||
		!strings.EqualFold(s[18:20], "0x") || s[n-1] != ')' {
		return 0, 0, false
	}
	hi, ok1 := hex8(s[9:17])
	lo, ok2 := hex8(s[20:28])
	return hi, lo, ok1 && ok2
}

func hex8(s string) (int64, bool) {
	var v int64
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch >= '0' && ch <= '9':
			v = v<<4 | int64(ch-'0')
		case ch >= 'a' && ch <= 'f':
			v = v<<4 | int64(ch-'a'+10)
		case ch >= 'A' && ch <= 'F':
			v = v<<4 | int64(ch-'A'+10)
		default:
			return 0, false
		}
	}
	return v, true
}
