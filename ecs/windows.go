package ecs

import (
	"crypto/sha1"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/eqld/eqld/winevent"
)

// Channel names as Windows writes them in System/Channel.
const (
	ChannelSysmon          = "Microsoft-Windows-Sysmon/Operational"
	ChannelSecurity        = "Security"
	ChannelSystem          = "System"
	ChannelApplication     = "Application"
	ChannelPowerShell      = "Windows PowerShell"
	ChannelPowerShellOper  = "Microsoft-Windows-PowerShell/Operational"
	ChannelWinRM           = "Microsoft-Windows-WinRM/Operational"
	ChannelForwardedEvents = "ForwardedEvents"
)

// Options tune how records become documents. The zero value is what
// Elastic Agent's Windows and System integrations would produce.
type Options struct {
	// Forwarded marks records read from a Windows Event Forwarding
	// collector's ForwardedEvents log. Such records keep their original
	// channel, so it cannot be seen from the record itself. Elastic Agent
	// ships them in the windows.forwarded data stream, whose pipeline routes
	// Security, Sysmon and PowerShell records to the same mappings.
	Forwarded bool
	// Namespace is data_stream.namespace; "" means "default".
	Namespace string
}

// Mapper maps records into documents, reusing its scratch space. A Mapper
// is not safe for concurrent use; use one per goroutine, or MapWindows.
type Mapper struct {
	// Opts applies to every record mapped; set it before the first Map.
	Opts Options
	// Notes counts the notes (odd values, skipped steps) of all records
	// mapped so far, for a summary; each Doc lists its own.
	Notes uint64

	ed    []edItem
	argv  []string
	hosts map[string]string // computer name → host.id
	codes map[uint32]string // event id → decimal string
}

// NewMapper returns a Mapper with the given options.
func NewMapper(opts Options) *Mapper { return &Mapper{Opts: opts} }

var mapperPool = sync.Pool{New: func() any { return &Mapper{} }}

// MapWindows maps one Windows event record into an ECS document with the
// default Options. It never fails: values the mapping cannot use stay in
// winlog.* and are listed in Doc.Notes.
func MapWindows(r *winevent.Record) *Doc {
	m := mapperPool.Get().(*Mapper)
	d := &Doc{nodes: make([]node, 0, 160)}
	m.Map(r, d)
	mapperPool.Put(m)
	return d
}

// Map maps r into d, which is reset first. It never fails and never
// panics on any field value.
func (m *Mapper) Map(r *winevent.Record, d *Doc) {
	d.Reset()
	d.root()
	c := ctx{m: m, r: r, d: d}
	c.code = m.code(r.EventID)
	m.ed = m.ed[:0]
	for _, e := range r.EventData {
		name := e.Name
		if name == "" {
			// Winlogbeat names unnamed Data elements param1, param2, …
			name = paramName(len(m.ed) + 1)
		}
		m.ed = append(m.ed, edItem{name: name, value: e.Value})
	}
	c.ed = &m.ed
	c.collector()
	spec := lookupSpec(r.Channel, r.EventID)
	c.spec = spec
	switch pipelineFor(r, m.Opts.Forwarded) {
	case pipeSysmon:
		c.sysmon()
	case pipeSecurity:
		c.security()
	case pipePowerShell:
		c.powershell()
	case pipePowerShellOper:
		c.powershellOperational()
	case pipeSystem:
		c.system()
	case pipeWinRM:
		c.winrm()
	}
	c.finish()
	m.Notes += uint64(len(d.Notes))
}

// pipeline identifies which Elastic pipeline (or eqld rule set) maps a record.
type pipeline uint8

const (
	pipeNone pipeline = iota
	pipeSysmon
	pipeSecurity
	pipePowerShell
	pipePowerShellOper
	pipeSystem
	pipeWinRM
)

// pipelineFor mirrors the routing of the integrations: each data stream's
// default pipeline, and forwarded.default.yml for forwarded records (which
// does not route System events).
func pipelineFor(r *winevent.Record, forwarded bool) pipeline {
	switch r.Channel {
	case ChannelSysmon:
		return pipeSysmon
	case ChannelSecurity:
		// security.default.yml runs the standard pipeline only for these
		// providers; forwarded.default.yml applies the same condition.
		if r.Provider == "Microsoft-Windows-Eventlog" || r.Provider == "Microsoft-Windows-Security-Auditing" {
			return pipeSecurity
		}
		if forwarded {
			return pipeNone
		}
		return pipeSecurityDefaultOnly
	case ChannelPowerShell:
		return pipePowerShell
	case ChannelPowerShellOper:
		return pipePowerShellOper
	case ChannelSystem:
		if forwarded {
			return pipeNone
		}
		return pipeSystem
	case ChannelWinRM:
		return pipeWinRM
	}
	return pipeNone
}

// pipeSecurityDefaultOnly: a Security-channel record from another provider
// goes through security.default.yml but not its standard sub-pipeline.
const pipeSecurityDefaultOnly = pipeNone

// dataStream returns (dataset, event.module) for a record.
func dataStream(channel string, forwarded bool) (string, string) {
	if forwarded {
		return "windows.forwarded", "windows"
	}
	switch channel {
	case ChannelSysmon:
		return "windows.sysmon_operational", "windows"
	case ChannelSecurity:
		return "system.security", "system"
	case ChannelSystem:
		return "system.system", "system"
	case ChannelApplication:
		return "system.application", "system"
	case ChannelPowerShell:
		return "windows.powershell", "windows"
	case ChannelPowerShellOper:
		return "windows.powershell_operational", "windows"
	case ChannelForwardedEvents:
		return "windows.forwarded", "windows"
	}
	// Elastic Agent's "Custom Windows event logs" integration.
	return "winlog.winlog", ""
}

func paramName(i int) string {
	if i < len(paramNames) {
		return paramNames[i]
	}
	return "param" + strconv.Itoa(i)
}

var paramNames = func() []string {
	s := make([]string, 33)
	for i := range s {
		s[i] = "param" + strconv.Itoa(i)
	}
	return s
}()

func (m *Mapper) code(id uint32) string {
	if s, ok := m.codes[id]; ok {
		return s
	}
	if m.codes == nil {
		m.codes = make(map[uint32]string)
	}
	s := strconv.FormatUint(uint64(id), 10)
	if len(m.codes) < 4096 {
		m.codes[id] = s
	}
	return s
}

// hostID derives a stable host.id from the computer name: the first DNS
// label, lower-cased, so that "WORKSTATION6" and
// "workstation6.theshire.local" (the same machine, as different channels
// write it) share one id. Sequence rules join on host.id. The id is a name-
// based UUID (version 5 layout, SHA-1 of "eqld-host:"+label) so it looks
// like the machine GUIDs Elastic Agent reports.
func (m *Mapper) hostID(computer string) string {
	if id, ok := m.hosts[computer]; ok {
		return id
	}
	label := strings.ToLower(strings.TrimSpace(computer))
	if i := strings.IndexByte(label, '.'); i > 0 {
		label = label[:i]
	}
	sum := sha1.Sum([]byte("eqld-host:" + label))
	sum[6] = sum[6]&0x0f | 0x50
	sum[8] = sum[8]&0x3f | 0x80
	b := make([]byte, 0, 36)
	for i, x := range sum[:16] {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b = append(b, '-')
		}
		b = append(b, hexDigits[x>>4], hexDigits[x&0xf])
	}
	id := string(b)
	if m.hosts == nil {
		m.hosts = make(map[string]string)
	}
	if len(m.hosts) < 1024 {
		m.hosts[computer] = id
	}
	return id
}

// HostID returns the host.id eqld synthesises for a computer name.
func HostID(computer string) string { return (&Mapper{}).hostID(computer) }

// edItem is one winlog.event_data entry while the pipeline steps run: they
// rename (remove), add and rewrite entries, and what is left is written out
// at the end.
type edItem struct {
	name, value string
	list        []string // set for list values (e.g. PrivilegeList after split)
	isList      bool
	gone        bool
}

// ctx carries one record through the mapping.
type ctx struct {
	m    *Mapper
	r    *winevent.Record
	d    *Doc
	ed   *[]edItem
	code string
	spec *Mapping
}

func (c *ctx) note(msg string) { c.d.Notes = append(c.d.Notes, msg) }

// get returns a scalar event_data value.
func (c *ctx) get(name string) (string, bool) {
	for i := range *c.ed {
		e := &(*c.ed)[i]
		if !e.gone && e.name == name {
			if e.isList {
				return "", false
			}
			return e.value, true
		}
	}
	return "", false
}

// has reports whether event_data has a (scalar or list) entry name.
func (c *ctx) has(name string) bool {
	for i := range *c.ed {
		if e := &(*c.ed)[i]; !e.gone && e.name == name {
			return true
		}
	}
	return false
}

// nonEmpty returns a value that is present and not "" (the pipelines'
// usual `!= null && != ""` guard).
func (c *ctx) nonEmpty(name string) (string, bool) {
	v, ok := c.get(name)
	return v, ok && v != ""
}

// remove drops an entry (the remove processor, or the source of a rename).
func (c *ctx) remove(name string) {
	for i := range *c.ed {
		if e := &(*c.ed)[i]; !e.gone && e.name == name {
			e.gone = true
		}
	}
}

// put sets an event_data entry, replacing an existing one in place.
func (c *ctx) put(name, value string) {
	for i := range *c.ed {
		if e := &(*c.ed)[i]; !e.gone && e.name == name {
			e.value, e.isList, e.list = value, false, nil
			return
		}
	}
	*c.ed = append(*c.ed, edItem{name: name, value: value})
}

// putList sets a list-valued event_data entry.
func (c *ctx) putList(name string, list []string) {
	for i := range *c.ed {
		if e := &(*c.ed)[i]; !e.gone && e.name == name {
			e.list, e.isList = list, true
			return
		}
	}
	*c.ed = append(*c.ed, edItem{name: name, list: list, isList: true})
}

// rename moves event_data[name] to an ECS field when the guard
// `!= null && != ""` holds and the target is not set yet (Elasticsearch's
// rename fails on an existing target and the pipelines ignore the failure,
// leaving the source in place).
func (c *ctx) rename(name, field string) {
	if v, ok := c.nonEmpty(name); ok && c.d.setStringIfAbsent(field, v) {
		c.remove(name)
	}
}

// copyTo is `set copy_from` with ignore_empty_value: the source stays.
func (c *ctx) copyTo(name, field string) {
	if v, ok := c.nonEmpty(name); ok {
		c.d.SetString(field, v)
	}
}

// convertLong is the convert processor (type long) with ignore_failure:
// decimal or 0x-hex; on failure the target is not set and a note is kept.
func (c *ctx) convertLong(name, field string) {
	v, ok := c.nonEmpty(name)
	if !ok {
		return
	}
	n, ok := parseLong(v)
	if !ok {
		c.note("winlog.event_data." + name + ": not a number: " + quoteShort(v))
		return
	}
	c.d.SetInt(field, n)
}

// convertIP is the convert processor (type ip) with ignore_failure.
func (c *ctx) convertIP(name, field string) {
	v, ok := c.nonEmpty(name)
	if !ok {
		return
	}
	ip, ok := normalizeIP(v)
	if !ok {
		c.note("winlog.event_data." + name + ": not an IP address: " + quoteShort(v))
		return
	}
	c.d.SetString(field, ip)
}

// collector writes what the Elastic Agent winlog input itself produces
// (winlogbeat's Record.ToEvent), before any ingest pipeline runs, plus the
// host fields that the shipper's host metadata would add.
func (c *ctx) collector() {
	r, d := c.r, c.d
	if !r.TimeCreated.IsZero() {
		d.SetTime("@timestamp", r.TimeCreated.UnixNano())
	} else {
		c.note("System/TimeCreated missing: no @timestamp")
	}
	d.SetString("event.code", c.code)
	d.SetString("event.kind", "event")
	if r.Provider != "" {
		d.SetString("event.provider", r.Provider)
	}
	if r.Keywords&keywordAuditSuccess != 0 {
		d.SetString("event.outcome", "success")
	} else if r.Keywords&keywordAuditFailure != 0 {
		d.SetString("event.outcome", "failure")
	}
	if !r.TimeCreated.IsZero() {
		// Deterministic stand-in for the collection time (see docs).
		d.SetTime("event.created", r.TimeCreated.UnixNano())
	}
	dataset, module := dataStream(r.Channel, c.m.Opts.Forwarded)
	if module != "" {
		d.SetString("event.module", module)
	}
	d.SetString("event.dataset", dataset)

	if r.Computer != "" {
		d.SetString("host.name", r.Computer)
		d.SetString("host.id", c.m.hostID(r.Computer))
	}
	d.SetString("host.os.type", "windows")
	d.SetString("host.os.family", "windows")
	d.SetString("host.os.platform", "windows")

	if lv := levelName(r.Level); lv != "" {
		d.SetString("log.level", lv)
	}

	if r.Channel != "" {
		d.SetString("winlog.channel", r.Channel)
	}
	if r.Computer != "" {
		d.SetString("winlog.computer_name", r.Computer)
	}
	d.SetString("winlog.event_id", c.code)
	d.setUintString("winlog.record_id", r.RecordID)
	if r.Provider != "" {
		d.SetString("winlog.provider_name", r.Provider)
	}
	if r.ProviderGUID != "" {
		d.SetString("winlog.provider_guid", r.ProviderGUID)
	}
	if r.EventSourceName != "" {
		d.SetString("winlog.event_source_name", r.EventSourceName)
	}
	d.SetString("winlog.api", "wineventlog")
	if r.Keywords != 0 {
		var kw [8]string
		n := 0
		for _, k := range keywordNames {
			if r.Keywords&k.bit != 0 {
				kw[n] = k.name
				n++
			}
		}
		if n > 0 {
			d.SetStrings("winlog.keywords", kw[:n]...)
		}
	}
	if op := opcodeName(r.Opcode); op != "" {
		d.SetString("winlog.opcode", op)
	}
	d.SetInt("winlog.version", int64(r.Version))
	if r.ProcessID != 0 || r.ThreadID != 0 {
		d.SetInt("winlog.process.pid", int64(r.ProcessID))
		d.SetInt("winlog.process.thread.id", int64(r.ThreadID))
	}
	if r.UserID != "" {
		d.SetString("winlog.user.identifier", r.UserID)
	}
	if r.ActivityID != "" {
		d.SetString("winlog.activity_id", r.ActivityID)
	}
	if r.RelatedActivityID != "" {
		d.SetString("winlog.related_activity_id", r.RelatedActivityID)
	}
	d.SetString("data_stream.type", "logs")
	d.SetString("data_stream.dataset", dataset)
	ns := c.m.Opts.Namespace
	if ns == "" {
		ns = "default"
	}
	d.SetString("data_stream.namespace", ns)
	if c.m.Opts.Forwarded {
		d.SetStrings("tags", "forwarded")
	}
	if spec := lookupSpec(r.Channel, r.EventID); spec != nil && spec.eqldAction != "" {
		// The collector's event.action is the rendered task name, which
		// eqld cannot render without the provider's message files; the
		// table carries it for the events rules rely on.
		d.SetString("event.action", spec.eqldAction)
	}
}

// finish writes winlog.event_data / user_data and the ECS version.
func (c *ctx) finish() {
	d := c.d
	ed := int32(-1)
	for i := range *c.ed {
		e := &(*c.ed)[i]
		if e.gone || e.name == "" {
			continue
		}
		if ed < 0 {
			ed = d.object("winlog.event_data")
		}
		if e.isList {
			d.addChildStrings(ed, e.name, e.list)
		} else {
			d.addChildString(ed, e.name, e.value)
		}
	}
	if u := c.r.UserData; u != nil {
		ud := d.object("winlog.user_data")
		d.addChildString(ud, "xml_name", u.Name)
		for _, ch := range u.Children {
			if ch == nil || ch.Name == "" {
				continue
			}
			d.addChildString(ud, ch.Name, ch.Text)
		}
	}
	// libbeat stamps every event with its ECS version; the pipelines
	// overwrite it (system/default.yml with an older one).
	v := "8.0.0"
	if pipelineFor(c.r, c.m.Opts.Forwarded) == pipeSystem {
		v = "1.11.0"
	}
	d.SetString("ecs.version", v)
}

// Standard Windows event keywords (winmeta.xml); bits 56–63 are
// provider-defined channel bits and have no standard name.
const (
	keywordAuditFailure uint64 = 0x10000000000000
	keywordAuditSuccess uint64 = 0x20000000000000
)

var keywordNames = []struct {
	bit  uint64
	name string
}{
	{0x1000000000000, "Response Time"},
	{0x2000000000000, "WDI Context"},
	{0x4000000000000, "WDI Diag"},
	{0x8000000000000, "SQM"},
	{keywordAuditFailure, "Audit Failure"},
	{keywordAuditSuccess, "Audit Success"},
	{0x40000000000000, "Correlation Hint"},
	{0x80000000000000, "Classic"},
}

func levelName(l uint8) string {
	switch l {
	case 0, 4:
		// Level 0 (LogAlways, every Security audit event) renders as
		// "Information".
		return "information"
	case 1:
		return "critical"
	case 2:
		return "error"
	case 3:
		return "warning"
	case 5:
		return "verbose"
	}
	return ""
}

func opcodeName(o uint8) string {
	switch o {
	case 0:
		return "Info"
	case 1:
		return "Start"
	case 2:
		return "Stop"
	case 3:
		return "DCStart"
	case 4:
		return "DCStop"
	case 5:
		return "Extension"
	case 6:
		return "Reply"
	case 7:
		return "Resume"
	case 8:
		return "Suspend"
	case 9:
		return "Send"
	case 240:
		return "Receive"
	}
	return ""
}

// parseLong parses like Java's Long.decode, which the pipelines use for
// pids and ports: optional sign, decimal, or 0x/0X/# hex. Unlike
// Long.decode a leading 0 is read as decimal, not octal, as the convert
// processor does.
func parseLong(s string) (int64, bool) {
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	base := uint64(10)
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		s, base = s[2:], 16
	} else if len(s) > 1 && s[0] == '#' {
		s, base = s[1:], 16
	}
	if s == "" || len(s) > 19 {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		var v uint64
		switch ch := s[i]; {
		case ch >= '0' && ch <= '9':
			v = uint64(ch - '0')
		case base == 16 && ch >= 'a' && ch <= 'f':
			v = uint64(ch-'a') + 10
		case base == 16 && ch >= 'A' && ch <= 'F':
			v = uint64(ch-'A') + 10
		default:
			return 0, false
		}
		n = n*base + v
		if n > 1<<63 {
			return 0, false
		}
	}
	if n == 1<<63 && !neg {
		return 0, false
	}
	if neg {
		return -int64(n), true
	}
	return int64(n), true
}

func quoteShort(s string) string {
	if len(s) > 64 {
		s = s[:64] + "…"
	}
	return strconv.Quote(s)
}

// parseUtcTime parses Sysmon's UtcTime, "2006-01-02 15:04:05.000" in UTC.
func parseUtcTime(s string) (time.Time, bool) {
	t, err := time.Parse("2006-01-02 15:04:05.999999999", s)
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}
