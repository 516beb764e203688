package ecs

import (
	"strings"
)

// Event-id lists of security/standard.yml's scripts, kept as data so the
// documentation (securityFields/securitySteps) and the mapping read the
// same lists.
var (
	secCopyTarget = codeSet("4624 4625 4634 4647 4648 4768 4769 4770 4771 4776 4964")
	secGroup      = codeSet("4727 4728 4729 4730 4731 4732 4733 4734 4735 4737 4744 4745 4746 4747 4748 4749 4750 4751 4752 4753 4754 4755 4756 4757 4758 4759 4760 4761 4762 4763 4764 4799")
	secComputer   = codeSet("4741 4742 4743")
	secLogonIDTgt = codeSet("4634 4647 4964")
	secSubject    = codeSet("4657 4670 4672 4673 4674 4688 4689 4697 4698 4699 4700 4701 4702 4706 4707 4713 4716 4717 4718 4719 4720 4722 4723 4724 4725 4726 4727 4728 4729 4730 4731 4732 4733 4734 4735 4737 4738 4739 4740 4741 4742 4743 4744 4745 4746 4747 4748 4749 4750 4751 4752 4753 4754 4755 4756 4757 4758 4759 4760 4761 4762 4763 4764 4767 4781 4798 4799 4817 4904 4905 4907 4912 4648 5140 5145")
	secToTarget   = codeSet("4670 4720 4722 4723 4724 4725 4726 4738 4740 4767 4798 4817 4907")
	secEffective  = codeSet("4648 4688")
	secCommonAuth = codeSet("1100 1102 1104 1105 1108 4624 4648 4625 4670 4673 4674 4689 4697 4719 4720 4722 4723 4724 4725 4726 4727 4728 4729 4730 4731 4732 4733 4734 4735 4737 4738 4740 4741 4742 4743 4744 4745 4746 4747 4748 4749 4750 4751 4752 4753 4754 4755 4756 4757 4758 4759 4760 4761 4762 4763 4764 4767 4768 4769 4770 4771 4798 4799 4817 4904 4905 4907 4912 5140 5145")
	secRelTarget  = codeSet("4688 4720 4722 4723 4724 4725 4726 4738 4740 4767 4798")
	secPrivileges = codeSet("4672 4673 4674 4741 4742 4743")
	secKerberos   = codeSet("4768 4769 4770 4771")
	secSDDL       = codeSet("4670 4817 4907 4908")
)

func codeSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, f := range strings.Fields(s) {
		m[f] = true
	}
	return m
}

// security follows security/default.yml, which calls standard.yml for the
// Eventlog and Security-Auditing providers.
func (c *ctx) security() {
	d := c.d
	code := c.code
	if code == "5156" {
		c.wfpConnection()
	} else {
		c.securityStandard()
	}
	// default.yml after the standard pipeline.
	if ip, ok := d.String("source.ip"); ok {
		if s := strings.ReplaceAll(ip, "::ffff:", ""); s != ip {
			d.SetString("source.ip", s)
			ip = s
		}
		if n, ok := normalizeIP(ip); ok && n != ip {
			d.SetString("source.ip", n)
			ip = n
		}
		if ip != "-" {
			d.appendUnique("related.ip", ip)
		}
	}
}

func (c *ctx) securityStandard() {
	d := c.d
	code := c.code
	// "Set ECS categorization fields"
	if c.spec != nil {
		c.setCategorization(c.spec)
	}
	// "Set Logon Type"
	if v, ok := c.get("LogonType"); ok {
		if t, ok := logonTypes[v]; ok {
			d.SetString("winlog.logon.type", t)
		}
	}
	// "Set User Account Control"
	if v, ok := c.get("NewUacValue"); ok && v != "-" {
		c.uac(v)
	}
	// "Set Kerberos Ticket Options"
	if v, ok := c.get("TicketOptions"); ok {
		if n, ok := c.decode("TicketOptions", v); ok {
			if names := flagNames(ticketOptionFlags, n); names != nil {
				c.putList("TicketOptionsDescription", names)
			}
		}
	}
	// "Set Kerberos Encryption Types"
	if v, ok := c.get("TicketEncryptionType"); ok {
		if s, ok := ticketEncryptionTypes[strings.ToLower(v)]; ok {
			c.put("TicketEncryptionTypeDescription", s)
		}
	}
	// "Set Kerberos Ticket Status Codes"
	if v, ok := c.get("Status"); ok && secKerberos[code] {
		if s, ok := kerberosStatus[v]; ok {
			c.put("StatusDescription", s)
		}
	}
	// "Set Service Type and Name"
	if v, ok := c.get("ServiceName"); ok {
		d.SetString("service.name", v)
	}
	if v, ok := c.get("ServiceType"); ok {
		if s, ok := serviceTypes[v]; ok {
			d.SetString("service.type", s)
		}
	}
	// "Set Audit Information"
	if v, ok := c.get("SubcategoryGuid"); ok {
		g := strings.ToUpper(strings.NewReplacer("{", "", "}", "").Replace(v))
		if s, ok := auditSubcategories[g]; ok {
			c.put("Category", s[1])
			c.put("SubCategory", s[0])
		}
	}
	// "Decode message table"
	c.messageTable()
	// "4625 and 4776 Set Status and SubStatus"
	if st, ok := c.get("Status"); ok && (code == "4625" || code == "4776") {
		if s, ok := logonFailureStatus[st]; ok {
			d.SetString("winlog.logon.failure.status", s)
		}
		if sub, ok := c.get("SubStatus"); ok {
			if s, ok := logonFailureStatus[sub]; ok {
				d.SetString("winlog.logon.failure.sub_status", s)
			}
		}
	}
	// "Set Trust Type/Direction/Attributes"
	if v, ok := c.get("TdoType"); ok {
		if s, ok := trustTypes[v]; ok {
			d.SetString("winlog.trustType", s)
		}
	}
	if v, ok := c.get("TdoDirection"); ok {
		if s, ok := trustDirections[v]; ok {
			d.SetString("winlog.trustDirection", s)
		}
	}
	if v, ok := c.get("TdoAttributes"); ok {
		if s, ok := trustAttributes[v]; ok {
			d.SetString("winlog.trustAttribute", s)
		}
	}
	// "Add Session Events"
	if code == "4778" || code == "4779" {
		if v, ok := c.get("AccountName"); ok {
			d.SetString("user.name", v)
			d.appendUnique("related.user", v)
		}
		if v, ok := c.get("AccountDomain"); ok {
			d.SetString("user.domain", v)
		}
		if v, ok := c.get("ClientAddress"); ok && v != "-" {
			d.SetString("source.ip", v)
			d.appendUnique("related.ip", v)
		}
		if v, ok := c.get("ClientName"); ok {
			d.SetString("source.domain", v)
		}
		if v, ok := c.get("LogonID"); ok {
			d.SetString("winlog.logon.id", v)
		}
	}
	// "Copy Target User"
	if secCopyTarget[code] {
		c.copyTargetUser()
	}
	// "Copy MemberName to User and User to Group"
	if secGroup[code] {
		c.groupMember()
	}
	// "Copy Target User to Computer Object"
	if secComputer[code] {
		if v, ok := c.get("TargetSid"); ok {
			d.SetString("winlog.computerObject.id", v)
		}
		if v, ok := c.get("TargetUserName"); ok {
			d.SetString("winlog.computerObject.name", v)
		}
		if v, ok := c.get("TargetDomainName"); ok {
			d.SetString("winlog.computerObject.domain", v)
		}
	}
	// set winlog.logon.id copy_from TargetLogonId (ignore_failure false)
	if secLogonIDTgt[code] {
		if v, ok := c.get("TargetLogonId"); ok {
			d.SetString("winlog.logon.id", v)
		} else {
			c.note("winlog.event_data.TargetLogonId missing: Elastic's pipeline fails here (error.message); eqld goes on")
		}
	}
	// "Copy Subject User from Event Data"
	if secSubject[code] {
		if v, ok := c.get("SubjectUserSid"); ok {
			d.SetString("user.id", v)
		}
		if v, ok := c.get("SubjectUserName"); ok {
			d.SetString("user.name", v)
			d.appendUnique("related.user", v)
		}
		if v, ok := c.get("SubjectDomainName"); ok {
			d.SetString("user.domain", v)
		}
	}
	// "Copy Target User to Target" / "to Effective"
	if secToTarget[code] {
		c.targetTo(&userTarget)
	}
	if secEffective[code] {
		c.targetTo(&userEffective)
	}
	// "Copy Subject User from user_data" (1102)
	if code == "1102" {
		if v, ok := c.userData("SubjectUserSid"); ok {
			d.SetString("user.id", v)
		}
		if v, ok := c.userData("SubjectUserName"); ok {
			d.SetString("user.name", v)
			d.appendUnique("related.user", v)
		}
		if v, ok := c.userData("SubjectDomainName"); ok {
			d.SetString("user.domain", v)
		}
	}
	// set winlog.logon.id copy_from SubjectLogonId (every event)
	if v, ok := c.get("SubjectLogonId"); ok {
		d.SetString("winlog.logon.id", v)
	}
	if code == "1102" {
		if v, ok := c.userData("SubjectLogonId"); ok {
			d.SetString("winlog.logon.id", v)
		}
	}
	// "Rename Common Auth Fields"
	if secCommonAuth[code] {
		c.commonAuth()
	}
	// "Process Event 4688"
	if code == "4688" {
		c.process4688()
	}
	// related.user appends
	if code == "4624" || code == "4648" {
		if v, ok := c.get("SubjectUserName"); ok && v != "-" {
			d.appendUnique("related.user", v)
		}
	}
	if secRelTarget[code] {
		if v, ok := c.get("TargetUserName"); ok && v != "-" {
			d.appendUnique("related.user", v)
		}
	}
	// split PrivilegeList on \s+
	if secPrivileges[code] {
		if v, ok := c.get("PrivilegeList"); ok {
			c.putList("PrivilegeList", splitRegexWS(v))
		}
	}
	if v, ok := c.nonEmpty("OldTargetUserName"); ok {
		d.SetString("user.target.name", v)
	}
	if v, ok := c.nonEmpty("NewTargetUserName"); ok {
		d.SetString("user.changes.name", v)
	}
	if v, ok := c.get("NewTargetUserName"); ok && v != "-" {
		d.appendUnique("related.user", v)
	}
	if v, ok := c.get("OldTargetUserName"); ok && v != "-" {
		d.appendUnique("related.user", v)
	}
	// File share events.
	if code == "5140" || code == "5145" {
		if v, ok := c.nonEmpty("RelativeTargetName"); ok {
			d.SetString("file.name", v)
		}
		if v, ok := c.nonEmpty("ShareLocalPath"); ok {
			d.SetString("file.directory", v)
		}
		dir, ok1 := d.String("file.directory")
		name, ok2 := d.String("file.name")
		if ok1 && ok2 {
			d.SetString("file.path", dir+`\`+name)
		}
		if v, ok := c.nonEmpty("ShareName"); ok && ok2 {
			d.SetString("file.target_path", v+`\`+name)
		}
	}
	if name, ok := d.String("file.name"); ok {
		if i := strings.LastIndexByte(name, '.'); i >= 0 {
			d.SetString("file.extension", name[i+1:])
		}
	}
}

// decode is Long.decode inside a script with ignore_failure false: a bad
// value fails Elastic's whole pipeline; eqld skips the step and notes it.
func (c *ctx) decode(name, v string) (int64, bool) {
	n, ok := parseLong(v)
	if !ok {
		c.note("winlog.event_data." + name + ": not a number: " + quoteShort(v) + "; Elastic's pipeline fails here, eqld skips the step")
	}
	return n, ok
}

func flagNames(flags []flagName, v int64) []string {
	var out []string
	for _, f := range flags {
		if uint64(v)&f.mask == f.mask {
			out = append(out, f.name)
		}
	}
	return out
}

func (c *ctx) uac(v string) {
	n, ok := c.decode("NewUacValue", v)
	if !ok {
		return
	}
	names := flagNames(uacFlags, n)
	if names == nil {
		return
	}
	c.putList("NewUACList", names)
	uac, ok := c.get("UserAccountControl")
	if !ok || uac == "-" {
		return
	}
	var list []string
	for elem := range strings.SplitSeq(uac, "%%") {
		if e := strings.TrimSpace(elem); e != "" {
			list = append(list, e)
		}
	}
	c.putList("UserAccountControl", list)
}

// messageTable is the "Decode message table" script.
func (c *ctx) messageTable() {
	d := c.d
	if v, ok := c.get("FailureReason"); ok {
		if s, ok := messageTable[strings.ReplaceAll(v, "%%", "")]; ok {
			d.SetString("winlog.logon.failure.reason", s)
		}
	}
	if v, ok := c.get("AuditPolicyChanges"); ok {
		var out []string
		for elem := range strings.SplitSeq(v, ",") {
			if s, ok := messageTable[strings.TrimSpace(strings.ReplaceAll(elem, "%%", ""))]; ok {
				out = append(out, s)
			}
		}
		if out != nil {
			c.putList("AuditPolicyChangesDescription", out)
		}
	}
	if v, ok := c.get("AccessList"); ok {
		var out []string
		for elem := range strings.SplitSeq(v, " ") {
			if s, ok := messageTable[strings.TrimSpace(strings.ReplaceAll(elem, "%%", ""))]; ok {
				out = append(out, s)
			}
		}
		if out != nil {
			c.putList("AccessListDescription", out)
		}
	}
	if v, ok := c.get("AccessMask"); ok {
		var out []string
		for _, elem := range strings.Fields(v) {
			mask := strings.TrimSpace(strings.ReplaceAll(elem, "%%", ""))
			if mask == "" {
				continue
			}
			n, ok := c.decode("AccessMask", mask)
			if !ok {
				return
			}
			for _, s := range flagNames(accessMaskFlags, n) {
				// foreach append with allow_duplicates false
				dup := false
				for _, o := range out {
					dup = dup || o == s
				}
				if !dup {
					out = append(out, s)
				}
			}
		}
		if out != nil {
			c.putList("AccessMaskDescription", out)
		}
	}
}

func (c *ctx) copyTargetUser() {
	d := c.d
	id, ok := c.get("TargetUserSid")
	if !ok {
		id, ok = c.get("TargetSid")
	}
	if ok {
		if !d.Has("user.id") {
			d.SetString("user.id", id)
		} else {
			d.SetString("user.target.id", id)
		}
	}
	if v, ok := c.get("TargetUserName"); ok {
		name, _, _ := strings.Cut(v, "@")
		if !d.Has("user.name") {
			d.SetString("user.name", name)
		} else {
			d.SetString("user.target.name", name)
		}
		d.appendUnique("related.user", name)
	}
	if v, ok := c.get("TargetDomainName"); ok {
		if !d.Has("user.domain") {
			d.SetString("user.domain", v)
		} else {
			d.SetString("user.target.domain", v)
		}
	}
}

func (c *ctx) groupMember() {
	d := c.d
	if v, ok := c.get("MemberName"); ok {
		parts := strings.Split(v, ",")
		name := strings.ReplaceAll(strings.ReplaceAll(parts[0], "CN=", ""), "cn=", "")
		d.SetString("user.target.name", name)
		d.appendUnique("related.user", name)
		if len(parts) >= 4 {
			d.SetString("user.target.domain", strings.ReplaceAll(strings.ReplaceAll(parts[3], "DC=", ""), "dc=", ""))
		}
	}
	if v, ok := c.get("TargetUserSid"); ok {
		d.SetString("group.id", v)
	}
	if v, ok := c.get("TargetSid"); ok {
		d.SetString("group.id", v)
	}
	if v, ok := c.get("TargetUserName"); ok {
		d.SetString("group.name", v)
	}
	if v, ok := c.get("TargetDomainName"); ok {
		d.SetString("group.domain", strings.ReplaceAll(strings.ReplaceAll(v, "DC=", ""), "dc=", ""))
	}
	if d.Has("user.target") {
		if v, ok := d.String("group.id"); ok {
			d.SetString("user.target.group.id", v)
		}
		if v, ok := d.String("group.name"); ok {
			d.SetString("user.target.group.name", v)
		}
		if v, ok := d.String("group.domain"); ok {
			d.SetString("user.target.group.domain", v)
		}
	}
}

// targetTo is "Copy Target User to Target" (user.target.*, id from
// TargetSid) and "…to Effective" (user.effective.*, id from TargetUserSid).
func (c *ctx) targetTo(f *targetFields) {
	d := c.d
	if v, ok := c.get(f.sidField); ok && v != "" && v != "-" {
		d.SetString(f.id, v)
	}
	if v, ok := c.get("TargetUserName"); ok && v != "" && v != "-" {
		name, _, _ := strings.Cut(v, "@")
		d.SetString(f.name, name)
		d.appendUnique("related.user", name)
	}
	if v, ok := c.get("TargetDomainName"); ok && v != "" && v != "-" {
		d.SetString(f.domain, v)
	}
}

type targetFields struct{ sidField, id, name, domain string }

var (
	userTarget    = targetFields{"TargetSid", "user.target.id", "user.target.name", "user.target.domain"}
	userEffective = targetFields{"TargetUserSid", "user.effective.id", "user.effective.name", "user.effective.domain"}
)

func (c *ctx) userData(name string) (string, bool) {
	u := c.r.UserData
	if u == nil {
		return "", false
	}
	for _, ch := range u.Children {
		if ch != nil && ch.Name == name {
			return ch.Text, true
		}
	}
	return "", false
}

// commonAuth is "Rename Common Auth Fields".
func (c *ctx) commonAuth() {
	d := c.d
	if v, ok := c.get("ProcessId"); ok {
		if n, ok := c.decode("ProcessId", v); ok {
			d.SetInt("process.pid", n)
			c.remove("ProcessId")
		}
	}
	if v, ok := c.get("ProcessName"); ok {
		d.SetString("process.executable", v)
		c.remove("ProcessName")
	}
	if v, ok := c.get("IpAddress"); ok && v != "-" {
		d.SetString("source.ip", v)
		c.remove("IpAddress")
	}
	if v, ok := c.get("IpPort"); ok && v != "-" {
		if n, ok := c.decode("IpPort", v); ok {
			d.SetInt("source.port", n)
			c.remove("IpPort")
		}
	}
	if v, ok := c.get("WorkstationName"); ok {
		d.SetString("source.domain", v)
		c.remove("WorkstationName")
	}
	if v, ok := c.get("ClientAddress"); ok && v != "-" {
		d.SetString("related.ip", v)
		c.remove("ClientAddress")
	}
	splitTokenName(d, &procFields)
}

// splitTokenName sets the name to the last "\"-separated token of the
// executable, as the Security pipeline's splitOnToken does (unlike the
// Sysmon script it also names a path without a backslash).
func splitTokenName(d *Doc, f *processFields) {
	if d.Has(f.name) {
		return
	}
	exe, ok := d.String(f.executable)
	if !ok {
		return
	}
	d.SetString(f.name, exe[strings.LastIndexByte(exe, '\\')+1:])
}

func (c *ctx) process4688() {
	d := c.d
	if v, ok := c.get("NewProcessId"); ok {
		if n, ok := c.decode("NewProcessId", v); ok {
			d.SetInt("process.pid", n)
			c.remove("NewProcessId")
		}
	}
	if v, ok := c.get("NewProcessName"); ok {
		d.SetString("process.executable", v)
		c.remove("NewProcessName")
	}
	if v, ok := c.get("ParentProcessName"); ok {
		d.SetString("process.parent.executable", v)
		c.remove("ParentProcessName")
	}
	splitTokenName(d, &procFields)
	splitTokenName(d, &parentFields)
	if v, ok := c.get("ProcessId"); ok {
		if n, ok := c.decode("ProcessId", v); ok {
			d.SetInt("process.parent.pid", n)
		}
	}
	if v, ok := c.get("CommandLine"); ok {
		d.SetStrings("process.args", splitCommandLine4688(v)...)
		d.SetString("process.command_line", v)
	}
	if v, ok := c.get("TargetUserName"); ok && v != "-" {
		d.appendUnique("related.user", v)
	}
}

// splitRegexWS is Java's String.split("\\s+"): a leading separator yields
// an empty first element, trailing ones yield none.
func splitRegexWS(s string) []string {
	f := strings.FieldsFunc(s, isJavaRegexSpace)
	if s != "" && isJavaRegexSpace(rune(s[0])) {
		f = append([]string{""}, f...)
	}
	return f
}

// isJavaRegexSpace is the regex class \s: [ \t\n\x0B\f\r].
func isJavaRegexSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\v' || r == '\f' || r == '\r'
}

// wfpConnection maps 5156 (Windows Filtering Platform permitted a
// connection) as the system integration does since elastic/integrations
// PR 6534.
func (c *ctx) wfpConnection() {
	d := c.d
	if c.spec != nil {
		c.setCategorization(c.spec)
	}
	switch v, _ := c.get("Direction"); v {
	case "%%14592":
		d.SetStrings("network.direction", "inbound")
	case "%%14593":
		d.SetStrings("network.direction", "outbound")
	}
	if v, ok := c.nonEmpty("Protocol"); ok {
		d.SetString("network.iana_number", v)
		if n, ok := parseLong(v); ok && n >= 0 && n < 256 {
			if name, ok := ianaNames[uint8(n)]; ok {
				d.SetString("network.transport", name)
			}
		}
	}
	c.convertIP("SourceAddress", "source.ip")
	c.convertLong("SourcePort", "source.port")
	c.convertIP("DestAddress", "destination.ip")
	c.convertLong("DestPort", "destination.port")
}

// securityFields describes, for the documentation table, which ECS fields
// standard.yml writes for an event id (from the same lists as the code).
func securityFields(code string) string {
	var f []string
	if secCopyTarget[code] {
		f = append(f, "user.{id,name,domain} ← Target* (user.target.* if already set)")
	}
	if secSubject[code] {
		f = append(f, "user.{id,name,domain} ← Subject*")
	}
	if secToTarget[code] {
		f = append(f, "user.target.* ← Target*")
	}
	if secEffective[code] {
		f = append(f, "user.effective.* ← TargetUser*")
	}
	if secGroup[code] {
		f = append(f, "group.*, user.target.{name,domain,group.*} ← MemberName/Target*")
	}
	if secComputer[code] {
		f = append(f, "winlog.computerObject.*")
	}
	if secCommonAuth[code] {
		f = append(f, "process.{pid,executable,name} ← ProcessId/ProcessName, source.{ip,port,domain} ← IpAddress/IpPort/WorkstationName")
	}
	switch code {
	case "4688":
		f = append(f, "process.{pid,executable,name,command_line,args}, process.parent.{pid,executable,name}")
	case "4624", "4625":
		f = append(f, "winlog.logon.type ← LogonType")
	case "1102":
		f = append(f, "user.* and winlog.logon.id ← user_data.Subject*")
	case "5140", "5145":
		f = append(f, "file.{name,directory,path,target_path,extension} ← RelativeTargetName/ShareLocalPath/ShareName")
	case "4778", "4779":
		f = append(f, "user.{name,domain}, source.{ip,domain}, winlog.logon.id")
	case "4697":
		f = append(f, "service.{name,type}")
	}
	if code == "4625" || code == "4776" {
		f = append(f, "winlog.logon.failure.{status,sub_status,reason}")
	}
	if secKerberos[code] {
		f = append(f, "winlog.event_data.{TicketOptionsDescription,TicketEncryptionTypeDescription,StatusDescription}")
	}
	if secPrivileges[code] {
		f = append(f, "winlog.event_data.PrivilegeList split into a list")
	}
	if secSDDL[code] {
		f = append(f, "(SDDL enrichment not reproduced)")
	}
	if len(f) == 0 {
		f = append(f, "winlog.logon.id ← SubjectLogonId; description side fields where the data has them")
	}
	return strings.Join(f, "; ")
}

func securitySteps(code string) string {
	var s []string
	if secCopyTarget[code] {
		s = append(s, "Copy Target User")
	}
	if secGroup[code] {
		s = append(s, "Copy MemberName to User and User to Group")
	}
	if secSubject[code] {
		s = append(s, "Copy Subject User from Event Data")
	}
	if secToTarget[code] {
		s = append(s, "Copy Target User to Target")
	}
	if secEffective[code] {
		s = append(s, "Copy Target User to Effective")
	}
	if secCommonAuth[code] {
		s = append(s, "Rename Common Auth Fields")
	}
	if code == "4688" {
		s = append(s, "Process Event 4688")
	}
	if code == "1102" {
		s = append(s, "Copy Subject User from user_data")
	}
	if len(s) == 0 {
		return ""
	}
	return ", \"" + strings.Join(s, "\", \"") + "\""
}
