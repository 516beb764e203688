package ecs

import (
	"sort"
	"strconv"
)

// Mapping describes how records of one channel and event id are mapped.
// It is the table docs/ecs-mapping.md documents row by row.
type Mapping struct {
	Channel string
	EventID uint32
	// Dataset is data_stream.dataset (and event.dataset) when the record is
	// not marked forwarded.
	Dataset  string
	Category []string // event.category
	Type     []string // event.type
	Action   string   // event.action
	Outcome  []string // event.outcome, when the mapping sets it
	// Pipeline names the Elastic pipeline file and processor (tag or
	// description) the row follows; "eqld" when no Elastic pipeline maps it.
	Pipeline string
	// Fields summarises the ECS fields produced beyond the common ones.
	Fields string

	// eqldAction is an event.action eqld sets in place of the collector's
	// rendered task name.
	eqldAction string
}

type specKey struct {
	channel string
	id      uint32
}

var specs = buildSpecs()

func lookupSpec(channel string, id uint32) *Mapping {
	return specs[specKey{channel, id}]
}

// WindowsMappings returns the mapping table, sorted by channel and event id.
// Records of other channels and ids still get the collector fields
// (winlog.*, event.code, event.provider, @timestamp, host.*, data_stream.*).
func WindowsMappings() []Mapping {
	out := make([]Mapping, 0, len(specs))
	for _, m := range specs {
		out = append(out, *m)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Channel != out[j].Channel {
			return out[i].Channel < out[j].Channel
		}
		return out[i].EventID < out[j].EventID
	})
	return out
}

const (
	pipeFileSysmon   = "sysmon_operational/default.yml"
	pipeFileSecurity = "security/standard.yml"
	pipeFilePS       = "powershell/default.yml"
	pipeFilePSOper   = "powershell_operational/default.yml"
)

func buildSpecs() map[specKey]*Mapping {
	m := map[specKey]*Mapping{}
	add := func(s *Mapping) { m[specKey{s.Channel, s.EventID}] = s }
	for _, c := range sysmonCategories {
		add(&Mapping{
			Channel: ChannelSysmon, EventID: c.id, Dataset: "windows.sysmon_operational",
			Category: c.category, Type: c.typ, Action: c.action, Outcome: c.outcome,
			Pipeline: pipeFileSysmon + " · tag \"Add ECS categorization fields\" + field processors",
			Fields:   sysmonFields(c.id),
		})
	}
	for _, c := range securityCategories {
		add(&Mapping{
			Channel: ChannelSecurity, EventID: c.id, Dataset: "system.security",
			Category: c.category, Type: c.typ, Action: c.action,
			Pipeline: pipeFileSecurity + " · tag \"Set ECS categorization fields\"" + securitySteps(strconv.Itoa(int(c.id))),
			Fields:   securityFields(strconv.Itoa(int(c.id))),
		})
	}
	// 5156 is mapped by a newer system integration (elastic/integrations
	// PR 6534) than the standard.yml read here; values from its test
	// expectation test-5156.json-expected.json.
	add(&Mapping{
		Channel: ChannelSecurity, EventID: 5156, Dataset: "system.security",
		Category: []string{"network"}, Type: []string{"connection", "info", "allowed"},
		Action:   "windows-firewall-connection",
		Pipeline: "system security pipeline after PR 6534 (test-5156.json-expected.json)",
		Fields:   "source.ip/port ← SourceAddress/SourcePort, destination.ip/port ← DestAddress/DestPort, network.transport + network.iana_number ← Protocol, network.direction ← Direction (%%14592 inbound, %%14593 outbound)",
	})
	for _, e := range []struct {
		id  uint32
		typ string
	}{{400, "start"}, {403, "end"}, {600, "info"}, {800, "info"}} {
		fields := "process.{entity_id,command_line,args,args_count,title}, user.{domain,name}, powershell.{engine,process,pipeline_id,runspace_id,command.*}, file.* ← ScriptName (kv of param3)"
		if e.id == 800 {
			fields = "kv of param2; powershell.command.invocation_details ← param3; process.*, user.*, powershell.*, file.* as for 400"
		}
		if e.id == 600 {
			fields = "param3 split by key; powershell.provider.{name,new_state}; process.*"
		}
		add(&Mapping{
			Channel: ChannelPowerShell, EventID: e.id, Dataset: "windows.powershell",
			Category: []string{"process"}, Type: []string{e.typ},
			Pipeline: pipeFilePS + " · kv \"Split Events 4xx/800\" + set event.type",
			Fields:   fields,
		})
	}
	for _, e := range []struct {
		id  uint32
		typ string
	}{{4103, "info"}, {4104, "info"}, {4105, "start"}, {4106, "end"}} {
		fields := "powershell.file.script_block_{text,id}, powershell.sequence/total, file.* ← Path, user.id"
		if e.id == 4103 {
			fields = "kv of ContextInfo; process.{entity_id,command_line,args,args_count,title}, user.{domain,name}, source.user.* (ConnectedUser), powershell.{id,command.*,runspace_id,pipeline_id}, powershell.command.invocation_details ← Payload"
		}
		add(&Mapping{
			Channel: ChannelPowerShellOper, EventID: e.id, Dataset: "windows.powershell_operational",
			Category: []string{"process"}, Type: []string{e.typ},
			Pipeline: pipeFilePSOper + " · set event.category/type + renames",
			Fields:   fields,
		})
	}
	add(&Mapping{
		Channel: ChannelSystem, EventID: 104, Dataset: "system.system",
		Pipeline: "system/default.yml (no mapping) + collector task name",
		Fields:   "event.action \"Log clear\" (rendered task name); winlog.user_data.*",
		Action:   "Log clear", eqldAction: "Log clear",
	})
	add(&Mapping{
		Channel: ChannelSystem, EventID: 7045, Dataset: "system.system",
		Pipeline: "system/default.yml (no mapping)",
		Fields:   "winlog.event_data.{ServiceName,ImagePath,ServiceType,StartType,AccountName} only",
	})
	add(&Mapping{
		Channel: ChannelWinRM, EventID: 91, Dataset: "winlog.winlog",
		Category: []string{"session"}, Type: []string{"start"},
		Pipeline: "eqld (no Elastic pipeline)",
		Fields:   "url.original ← resourceUri; user.id ← winlog.user.identifier",
	})
	add(&Mapping{
		Channel: ChannelWinRM, EventID: 169, Dataset: "winlog.winlog",
		Category: []string{"authentication"}, Type: []string{"start"},
		Pipeline: "eqld (no Elastic pipeline)",
		Fields:   "user.{domain,name} ← username (DOMAIN\\name); winlog.event_data.authenticationMechanism kept",
	})
	return m
}

func sysmonFields(id uint32) string {
	switch id {
	case 1:
		return "process.{entity_id,pid,executable,name,command_line,args,args_count,working_directory,hash.*,pe.*}, process.parent.{entity_id,pid,executable,name,command_line,args,args_count}, user.{id,domain,name}, related.{user,hash}, rule.name"
	case 2, 11, 15, 23, 26, 27, 28, 29:
		s := "file.{path,name,directory,extension}, process.{entity_id,pid,executable,name}, user.*"
		if id == 15 || id == 26 || id == 29 {
			s += ", file.hash.*"
		}
		if id == 23 {
			s += ", process.hash.*, sysmon.file.{archived,is_executable}"
		}
		return s
	case 3:
		return "source.{ip,port,domain}, destination.{ip,port,domain}, network.{transport,protocol,direction,type,community_id}, process.{entity_id,pid,executable,name}, user.*, related.{ip,user}"
	case 5:
		return "process.{entity_id,pid,executable,name}, user.*"
	case 6:
		return "file.{path,name,directory,extension,hash.*,code_signature.*}"
	case 7:
		return "file.{path,name,directory,extension,hash.*,pe.*,code_signature.*}, process.{entity_id,pid,executable,name}, user.*"
	case 8, 10:
		return "process.{entity_id,pid,executable,name,thread.id} ← Source*; Target*/GrantedAccess/CallTrace stay in winlog.event_data"
	case 12, 13, 14:
		return "registry.{path,hive,key,value} (13: registry.data.{strings,type}), process.{entity_id,pid,executable,name}, user.*"
	case 17, 18:
		return "file.name ← PipeName, process.{entity_id,pid,executable,name}"
	case 22:
		return "dns.question.name, dns.answers, dns.resolved_ip, network.protocol=dns, sysmon.dns.status, process.*, related.{hosts,ip}"
	case 24, 25:
		return "process.{entity_id,pid,executable,name,hash.*} (25: message ← Type)"
	case 255:
		return "error.code ← ID"
	}
	return "process.{entity_id,pid,executable,name}, user.* where present"
}
