package ecs

import (
	"regexp"
	"strings"
)

// powershell follows powershell/default.yml (channel "Windows PowerShell":
// 400 engine started, 403 stopped, 600 provider, 800 pipeline execution).
// Those events carry unnamed Data, named param1.. by the collector.
func (c *ctx) powershell() {
	d := c.d
	code := c.code
	switch code {
	case "800":
		c.kv("param2", "\n\t", "\n\t")
	case "600":
		c.split600()
	default:
		c.kv("param3", "\n\t", "\n\t")
	}
	d.SetString("event.category", "process")
	switch code {
	case "400":
		d.SetString("event.type", "start")
	case "403":
		d.SetString("event.type", "end")
	default:
		d.SetString("event.type", "info")
	}
	c.convertLong("SequenceNumber", "event.sequence")
	c.rename("HostId", "process.entity_id")
	c.rename("HostApplication", "process.command_line")
	c.rename("HostName", "process.title")
	if v, ok := c.get("UserId"); ok && setDomainUser(d, v, userF) {
		if n, ok := d.String("user.name"); ok {
			d.appendUnique("related.user", n)
		}
	}
	c.rename("NewEngineState", "powershell.engine.new_state")
	c.rename("PreviousEngineState", "powershell.engine.previous_state")
	c.rename("NewProviderState", "powershell.provider.new_state")
	c.rename("ProviderName", "powershell.provider.name")
	c.convertLong("DetailTotal", "powershell.total")
	c.convertLong("DetailSequence", "powershell.sequence")
	c.rename("EngineVersion", "powershell.engine.version")
	c.rename("PipelineId", "powershell.pipeline_id")
	c.rename("RunspaceId", "powershell.runspace_id")
	c.rename("HostVersion", "powershell.process.executable_version")
	c.rename("CommandLine", "powershell.command.value")
	c.rename("CommandPath", "powershell.command.path")
	c.rename("CommandName", "powershell.command.name")
	c.rename("CommandType", "powershell.command.type")
	if code == "800" {
		if v, ok := c.get("param3"); ok {
			c.invocationDetails(v, detail800)
		}
	}
	c.setArgs(&procFields)
	c.scriptFile("ScriptName")
	for _, f := range []string{"param1", "param2", "param3", "SequenceNumber", "DetailTotal", "DetailSequence", "UserId"} {
		c.remove(f)
	}
	c.dropEmpty(false)
}

// powershellOperational follows powershell_operational/default.yml.
func (c *ctx) powershellOperational() {
	d := c.d
	code := c.code
	if code == "4103" {
		c.kv("ContextInfo", "\n", " \n\t")
	}
	// "Remove spaces from all event_data keys."
	for i := range *c.ed {
		e := &(*c.ed)[i]
		if strings.IndexFunc(e.name, isJavaRegexSpace) >= 0 {
			e.name = strings.Map(func(r rune) rune {
				if isJavaRegexSpace(r) {
					return -1
				}
				return r
			}, e.name)
		}
	}
	d.SetString("event.category", "process")
	switch code {
	case "4105":
		d.SetString("event.type", "start")
	case "4106":
		d.SetString("event.type", "end")
	default:
		d.SetString("event.type", "info")
	}
	c.convertLong("SequenceNumber", "event.sequence")
	c.rename("HostID", "process.entity_id")
	c.rename("HostApplication", "process.command_line")
	c.rename("HostName", "process.title")
	if c.r.UserID != "" {
		d.SetString("user.id", c.r.UserID)
	}
	if v, ok := c.get("User"); ok {
		setDomainUser(d, v, userF)
	}
	if n, ok := d.String("user.name"); ok {
		d.appendUnique("related.user", n)
	}
	if v, ok := c.get("ConnectedUser"); ok {
		setDomainUser(d, v, sourceUserF)
	}
	if n, ok := d.String("source.user.name"); ok {
		d.appendUnique("related.user", n)
	}
	if d.Has("source.user") {
		// The connected (remote) user is the actor: user.* moves to
		// destination.user.* and user.* takes source.user.*.
		if v, ok := d.String("user.domain"); ok && d.setStringIfAbsent("destination.user.domain", v) {
			d.Delete("user.domain")
		}
		if v, ok := d.String("user.name"); ok && d.setStringIfAbsent("destination.user.name", v) {
			d.Delete("user.name")
		}
		if v, ok := d.String("source.user.domain"); ok && v != "" {
			d.SetString("user.domain", v)
		}
		if v, ok := d.String("source.user.name"); ok && v != "" {
			d.SetString("user.name", v)
		}
	}
	c.convertLong("MessageNumber", "powershell.sequence")
	c.convertLong("MessageTotal", "powershell.total")
	c.rename("ShellID", "powershell.id")
	c.rename("EngineVersion", "powershell.engine.version")
	c.rename("PipelineID", "powershell.pipeline_id")
	c.rename("RunspaceID", "powershell.runspace_id")
	c.rename("RunspaceId", "powershell.runspace_id")
	c.rename("HostVersion", "powershell.process.executable_version")
	c.rename("CommandLine", "powershell.command.value")
	c.rename("CommandPath", "powershell.command.path")
	c.rename("CommandName", "powershell.command.name")
	c.rename("CommandType", "powershell.command.type")
	c.rename("ScriptBlockId", "powershell.file.script_block_id")
	c.rename("ScriptBlockText", "powershell.file.script_block_text")
	if code == "4103" {
		if v, ok := c.get("Payload"); ok {
			c.invocationDetails(v, detail4103)
		}
	}
	c.setArgs(&procFields)
	if v, ok := c.nonEmpty("Path"); ok && !c.has("ScriptName") {
		c.remove("Path")
		c.put("ScriptName", v)
	}
	c.scriptFile("ScriptName")
	for _, f := range []string{"SequenceNumber", "User", "ConnectedUser", "ContextInfo", "Severity", "MessageTotal", "MessageNumber", "Payload"} {
		c.remove(f)
	}
	c.dropEmpty(false)
}

// kv is Elasticsearch's kv processor writing into winlog.event_data:
// fieldSplit is a literal separator (the pipelines' regexes have no
// metacharacters), value_split "=" with limit 2, keys and values trimmed of
// the characters in trim. Java's split drops trailing empty parts; a part
// without "=" makes Elastic's processor fail the pipeline, eqld skips it
// and notes it.
func (c *ctx) kv(field, fieldSplit, trim string) {
	v, ok := c.get(field)
	if !ok {
		return
	}
	parts := strings.Split(v, fieldSplit)
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	for _, p := range parts {
		k, val, ok := strings.Cut(p, "=")
		if !ok {
			c.note("winlog.event_data." + field + ": part without '=': " + quoteShort(p) + "; Elastic's kv processor fails here, eqld skips the part")
			continue
		}
		k = strings.Trim(k, trim)
		val = strings.Trim(val, trim)
		if k == "" {
			continue
		}
		c.put(k, val)
	}
}

// The script's pattern (^|(^[\n]?))?\t([^\s\W]+)= reduces to \t(\w+)=:
// the leading group is optional and [^\s\W] is \w.
var key600 = regexp.MustCompile(`\t(\w+)=`)

// split600 is the script for event 600: param3 holds "\tKey=value" lines
// whose values may span lines; everything between one key and the next is
// the value.
func (c *ctx) split600() {
	p, ok := c.get("param3")
	if !ok {
		return
	}
	locs := key600.FindAllStringSubmatchIndex(p, -1)
	if locs == nil {
		// m.find() fails and m.group throws in Elastic's script.
		c.note("winlog.event_data.param3: no \\tKey= found in event 600 details")
		return
	}
	for i, l := range locs {
		key := p[l[2]:l[3]]
		end := len(p)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		c.put(key, strings.TrimSpace(p[l[1]:end]))
	}
}

// Java's "." does not match line terminators, and "$" also matches before
// a final one; nl is that dot.
const jdot = `[^\n\r\x{85}\x{2028}\x{2029}]`

var (
	detail800  = regexp.MustCompile(`^([^:(]+)\(([^)]+)\):\s*(` + jdot + `+)?(?:\r\n|[\n\r\x{85}\x{2028}\x{2029}])?$`)
	detail4103 = regexp.MustCompile(`^(` + jdot + `+)\((` + jdot + `+)\):\s*(` + jdot + `+)?(?:\r\n|[\n\r\x{85}\x{2028}\x{2029}])?$`)
	paramBind  = regexp.MustCompile(`^name=(` + jdot + `+);\s*value=(` + jdot + `+)(?:\r\n|[\n\r\x{85}\x{2028}\x{2029}])?$`)
)

// invocationDetails is the split of Payload/param3 on "\n" and the
// "Parses all command invocation detail raw lines" script.
func (c *ctx) invocationDetails(v string, re *regexp.Regexp) {
	d := c.d
	lines := strings.Split(v, "\n")
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	for _, raw := range lines {
		obj := d.appendObject("powershell.command.invocation_details")
		m := re.FindStringSubmatch(raw)
		if m == nil {
			d.objSet(obj, "value", raw)
			continue
		}
		if m[1] != "ParameterBinding" {
			d.objSet(obj, "type", m[1])
			d.objSet(obj, "related_command", m[2])
			if m[3] != "" {
				d.objSet(obj, "value", m[3])
			}
			continue
		}
		pb := paramBind.FindStringSubmatch(m[3])
		if pb == nil {
			// Elastic's script reads matches[4] here, which throws; eqld
			// keeps the raw value.
			d.objSet(obj, "value", m[3])
			continue
		}
		d.objSet(obj, "type", m[1])
		d.objSet(obj, "related_command", m[2])
		d.objSet(obj, "name", pb[1])
		d.objSet(obj, "value", pb[2])
	}
}

// scriptFile is the PowerShell pipelines' "Adds file information." script
// on ScriptName followed by its rename to file.path.
func (c *ctx) scriptFile(name string) {
	p, ok := c.get(name)
	if !ok {
		return
	}
	if len(p) > 1 {
		setFileParts(c.d, p, true)
	}
	c.rename(name, "file.path")
}
