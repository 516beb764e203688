package gen

// The catalog is the benign behaviour of a fleet. Every entry was checked
// against the production EQL rules' queries (process names, parent/child
// pairs, paths, registry keys, ports, domains): noise must never fire a rule,
// so that the planted incidents are the only true positives. When adding an
// entry, re-run the corpus through the full rule set before committing.

type osKind uint8

const (
	osWindows osKind = iota
	osLinux
	osMacOS
	numOS
)

func (o osKind) String() string { return [...]string{"windows", "linux", "macos"}[o] }

// signer is the code signature an executable carries.
type signer struct {
	subject string
	teamID  string // macOS only
}

var (
	sigMSWin   = signer{subject: "Microsoft Windows"}
	sigMS      = signer{subject: "Microsoft Corporation"}
	sigGoogle  = signer{subject: "Google LLC"}
	sigApple   = signer{subject: "Software Signing"}
	sigChromeM = signer{subject: "Developer ID Application: Google LLC (EQHXZ8M8AV)", teamID: "EQHXZ8M8AV"}
	sigSlackM  = signer{subject: "Developer ID Application: Slack Technologies, Inc. (BQR82RBBHL)", teamID: "BQR82RBBHL"}
)

// pe is the PE version resource of a Windows executable.
type pe struct{ orig, company, desc, product, version string }

// exeSpec describes one executable: where it lives and what it is.
type exeSpec struct {
	path string
	sig  signer
	pe   pe
	sys  bool // runs as SYSTEM/root rather than as the logged-on user
}

// rootSpec is a long-running process present on every host of an OS before
// the corpus starts (its start event is not in the corpus). Children,
// network, file, registry, library and DNS activity hang off these, so
// entity ids stay stable and process trees are consistent.
type rootSpec struct {
	key    string // catalog handle, e.g. "svchost-dcom"
	exe    exeSpec
	cmd    string
	parent string // key of the parent root ("" = none)
	cwd    string
}

// childSpec is a short-lived process started by a root.
type childSpec struct {
	parent string // root key
	exe    exeSpec
	cmds   []string // command-line variants (first is most common)
	cwd    string
	weight uint64
}

// netSpec is a connection made or accepted by a root process.
type netSpec struct {
	actor     string
	ingress   bool
	transport string
	port      int
	peer      peerKind
	weight    uint64
}

type peerKind uint8

const (
	peerPublic   peerKind = iota // internet address (CDN/SaaS ranges)
	peerInternal                 // RFC 1918 server in the data centre
	peerDNS                      // the site's DNS resolver
	peerAdmin                    // an admin jump host
)

type fileSpec struct {
	actor  string
	action string // creation, modification, deletion, overwrite, rename
	path   string // template
	weight uint64
}

type regSpec struct {
	actor  string
	path   string // full registry path, template
	data   string // template
	typ    string
	weight uint64
}

type libSpec struct {
	actor  string
	path   string
	weight uint64
}

type dnsSpec struct {
	actor   string
	domains []string
	weight  uint64
}

type osCatalog struct {
	roots    []rootSpec
	children []childSpec
	nets     []netSpec
	files    []fileSpec
	regs     []regSpec
	libs     []libSpec
	dns      []dnsSpec
}

const (
	edgeDir   = `C:\Program Files (x86)\Microsoft\Edge\Application\`
	chromeDir = `C:\Program Files\Google\Chrome\Application\`
	officeDir = `C:\Program Files\Microsoft Office\root\Office16\`
	teamsExe  = `C:\Program Files\WindowsApps\MSTeams_24295.605.3225.8804_x64__8wekyb3d8bbwe\ms-teams.exe`
	defender  = `C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.24090.11-0\MsMpEng.exe`
	sys32     = `C:\Windows\System32\`
)

func winSys(name, desc string) exeSpec {
	return exeSpec{path: sys32 + name, sig: sigMSWin, sys: true,
		pe: pe{orig: name, company: "Microsoft Corporation", desc: desc, product: "Microsoft® Windows® Operating System", version: "10.0.22621.4317 (WinBuild.160101.0800)"}}
}

func winUser(path, orig, company, desc, product, version string, sig signer) exeSpec {
	return exeSpec{path: path, sig: sig, pe: pe{orig: orig, company: company, desc: desc, product: product, version: version}}
}

var (
	chromeExe  = winUser(chromeDir+"chrome.exe", "chrome.exe", "Google LLC", "Google Chrome", "Google Chrome", "130.0.6723.117", sigGoogle)
	edgeExe    = winUser(edgeDir+"msedge.exe", "msedge.exe", "Microsoft Corporation", "Microsoft Edge", "Microsoft Edge", "130.0.2849.80", sigMS)
	outlookExe = winUser(officeDir+"OUTLOOK.EXE", "Outlook.exe", "Microsoft Corporation", "Microsoft Outlook", "Microsoft Outlook", "16.0.17928.20216", sigMS)
	wordExe    = winUser(officeDir+"WINWORD.EXE", "WinWord.exe", "Microsoft Corporation", "Microsoft Word", "Microsoft Office", "16.0.17928.20216", sigMS)
	excelExe   = winUser(officeDir+"EXCEL.EXE", "Excel.exe", "Microsoft Corporation", "Microsoft Excel", "Microsoft Office", "16.0.17928.20216", sigMS)
	teamsSpec  = winUser(teamsExe, "ms-teams.exe", "Microsoft Corporation", "Microsoft Teams", "Microsoft Teams", "24295.605.3225.8804", sigMS)
	onedrive   = winUser(`C:\Program Files\Microsoft OneDrive\OneDrive.exe`, "OneDrive.exe", "Microsoft Corporation", "Microsoft OneDrive", "Microsoft OneDrive", "24.201.1006.0005", sigMS)
	explorer   = exeSpec{path: `C:\Windows\explorer.exe`, sig: sigMSWin, pe: pe{orig: "EXPLORER.EXE", company: "Microsoft Corporation", desc: "Windows Explorer", product: "Microsoft® Windows® Operating System", version: "10.0.22621.4317 (WinBuild.160101.0800)"}}
	msmpeng    = exeSpec{path: defender, sig: sigMS, sys: true, pe: pe{orig: "MsMpEng.exe", company: "Microsoft Corporation", desc: "Antimalware Service Executable", product: "Microsoft® Windows® Operating System", version: "4.18.24090.11"}}
)

var windowsCatalog = osCatalog{
	roots: []rootSpec{
		{key: "wininit", exe: winSys("wininit.exe", "Windows Start-Up Application"), cmd: `wininit.exe`},
		{key: "services", exe: winSys("services.exe", "Services and Controller app"), cmd: `C:\Windows\system32\services.exe`, parent: "wininit"},
		{key: "svchost-dcom", exe: winSys("svchost.exe", "Host Process for Windows Services"), cmd: `C:\Windows\system32\svchost.exe -k DcomLaunch -p`, parent: "services"},
		{key: "svchost-schedule", exe: winSys("svchost.exe", "Host Process for Windows Services"), cmd: `C:\Windows\system32\svchost.exe -k netsvcs -p -s Schedule`, parent: "services"},
		{key: "svchost-dnscache", exe: winSys("svchost.exe", "Host Process for Windows Services"), cmd: `C:\Windows\system32\svchost.exe -k NetworkService -p -s Dnscache`, parent: "services"},
		{key: "svchost-wu", exe: winSys("svchost.exe", "Host Process for Windows Services"), cmd: `C:\Windows\system32\svchost.exe -k netsvcs -p -s wuauserv`, parent: "services"},
		{key: "svchost-do", exe: winSys("svchost.exe", "Host Process for Windows Services"), cmd: `C:\Windows\System32\svchost.exe -k NetworkService -p -s DoSvc`, parent: "services"},
		{key: "searchindexer", exe: winSys("SearchIndexer.exe", "Microsoft Windows Search Indexer"), cmd: `C:\Windows\system32\SearchIndexer.exe /Embedding`, parent: "services"},
		{key: "msmpeng", exe: msmpeng, cmd: `"` + defender + `"`, parent: "services"},
		{key: "explorer", exe: explorer, cmd: `C:\Windows\Explorer.EXE`, cwd: `C:\Windows\system32\`},
		{key: "chrome", exe: chromeExe, cmd: `"` + chromeDir + `chrome.exe"`, parent: "explorer", cwd: chromeDir},
		{key: "msedge", exe: edgeExe, cmd: `"` + edgeDir + `msedge.exe" --no-startup-window --win-session-start`, parent: "explorer", cwd: edgeDir},
		{key: "outlook", exe: outlookExe, cmd: `"` + officeDir + `OUTLOOK.EXE"`, parent: "explorer", cwd: officeDir},
		{key: "winword", exe: wordExe, cmd: `"` + officeDir + `WINWORD.EXE" /n "C:\Users\{u}\Documents\Budget Review.docx"`, parent: "explorer", cwd: `C:\Users\{u}\Documents\`},
		{key: "teams", exe: teamsSpec, cmd: `"` + teamsExe + `" msteams:system-initiated`, parent: "explorer", cwd: `C:\Program Files\WindowsApps\MSTeams_24295.605.3225.8804_x64__8wekyb3d8bbwe\`},
		{key: "onedrive", exe: onedrive, cmd: `"C:\Program Files\Microsoft OneDrive\OneDrive.exe" /background`, parent: "explorer", cwd: `C:\Program Files\Microsoft OneDrive\`},
	},
	children: []childSpec{
		{parent: "chrome", exe: chromeExe, weight: 30, cwd: chromeDir, cmds: []string{
			`"` + chromeDir + `chrome.exe" --type=renderer --lang=en-US --renderer-client-id=24 --mojo-platform-channel-handle=4360 /prefetch:1`,
			`"` + chromeDir + `chrome.exe" --type=utility --utility-sub-type=storage.mojom.StorageService --lang=en-US --service-sandbox-type=service /prefetch:8`,
			`"` + chromeDir + `chrome.exe" --type=gpu-process --gpu-preferences=UAAAAAAAAADgAAAEAAAAAAAAAAAAAAAAAABgAAEAAAAAAAAA --mojo-platform-channel-handle=1924 /prefetch:2`,
		}},
		{parent: "msedge", exe: edgeExe, weight: 22, cwd: edgeDir, cmds: []string{
			`"` + edgeDir + `msedge.exe" --type=renderer --lang=en-US --js-flags=--ms-user-locale= --renderer-client-id=9 --mojo-platform-channel-handle=3712 /prefetch:1`,
			`"` + edgeDir + `msedge.exe" --type=utility --utility-sub-type=asset_store.mojom.AssetStoreService --lang=en-US --service-sandbox-type=asset_store_service /prefetch:8`,
		}},
		{parent: "svchost-dcom", exe: winSys("RuntimeBroker.exe", "Runtime Broker"), weight: 10, cwd: sys32, cmds: []string{`C:\Windows\System32\RuntimeBroker.exe -Embedding`}},
		{parent: "svchost-dcom", exe: winSys("backgroundTaskHost.exe", "Background Task Host"), weight: 8, cwd: sys32, cmds: []string{
			`"C:\Windows\system32\backgroundTaskHost.exe" -ServerName:BackgroundTaskHost.WebAccountProvider`,
			`"C:\Windows\system32\backgroundTaskHost.exe" -ServerName:App.AppXmtcan0h2tfbfy7k9kmpfhvr0ftd3xs1f.mca`,
		}},
		{parent: "svchost-dcom", exe: winSys("dllhost.exe", "COM Surrogate"), weight: 6, cwd: sys32, cmds: []string{
			`C:\Windows\system32\DllHost.exe /Processid:{973D20D7-562D-44B9-B70B-5A0F49CCDF3F}`,
			`C:\Windows\system32\DllHost.exe /Processid:{AB8902B4-09CA-4BB6-B78D-A8F59079A8D5}`,
		}},
		{parent: "svchost-dcom", exe: winSys("smartscreen.exe", "Windows Defender SmartScreen"), weight: 3, cwd: sys32, cmds: []string{`C:\Windows\System32\smartscreen.exe -Embedding`}},
		{parent: "svchost-schedule", exe: winSys("taskhostw.exe", "Host Process for Windows Tasks"), weight: 6, cwd: sys32, cmds: []string{`taskhostw.exe {222A245B-E637-4AE9-A93F-A59CA119A75E}`, `taskhostw.exe Install $(Arg0)`}},
		{parent: "svchost-schedule", exe: winUser(`C:\Program Files (x86)\Microsoft\EdgeUpdate\MicrosoftEdgeUpdate.exe`, "msedgeupdate.dll", "Microsoft Corporation", "Microsoft Edge Update", "Microsoft Edge Update", "1.3.195.31", sigMS), weight: 2, cmds: []string{`"C:\Program Files (x86)\Microsoft\EdgeUpdate\MicrosoftEdgeUpdate.exe" /ua /installsource scheduler`}},
		{parent: "searchindexer", exe: winSys("SearchProtocolHost.exe", "Microsoft Windows Search Protocol Host"), weight: 8, cwd: sys32, cmds: []string{
			`"C:\Windows\system32\SearchProtocolHost.exe" Global\UsGthrFltPipeMssGthrPipe7_ Global\UsGthrCtrlFltPipeMssGthrPipe7 1 -2147483646 "Software\Microsoft\Windows Search" "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT; MS Search 4.0 Robot)" "C:\ProgramData\Microsoft\Search\Data\Temp\usgthrsvc" "DownLevelDaemon"`,
		}},
		{parent: "searchindexer", exe: winSys("SearchFilterHost.exe", "Microsoft Windows Search Filter Host"), weight: 8, cwd: sys32, cmds: []string{`"C:\Windows\system32\SearchFilterHost.exe" 0 812 816 824 8192 820 800`}},
		{parent: "teams", exe: winUser(`C:\Program Files (x86)\Microsoft\EdgeWebView\Application\130.0.2849.80\msedgewebview2.exe`, "msedgewebview2.exe", "Microsoft Corporation", "Microsoft Edge WebView2", "Microsoft Edge WebView2", "130.0.2849.80", sigMS), weight: 5, cwd: `C:\Program Files\WindowsApps\MSTeams_24295.605.3225.8804_x64__8wekyb3d8bbwe\`, cmds: []string{
			`"C:\Program Files (x86)\Microsoft\EdgeWebView\Application\130.0.2849.80\msedgewebview2.exe" --type=renderer --webview-exe-name=ms-teams.exe --embedded-browser-webview=1 --lang=en-US /prefetch:1`,
		}},
		{parent: "explorer", exe: winSys("notepad.exe", "Notepad"), weight: 2, cwd: `C:\Users\{u}\Documents\`, cmds: []string{`"C:\Windows\system32\NOTEPAD.EXE" C:\Users\{u}\Documents\meeting-notes.txt`, `"C:\Windows\system32\NOTEPAD.EXE"`}},
		{parent: "explorer", exe: excelExe, weight: 3, cwd: `C:\Users\{u}\Documents\`, cmds: []string{`"` + officeDir + `EXCEL.EXE" "C:\Users\{u}\OneDrive - Contoso\Finance\Forecast FY26.xlsx"`, `"` + officeDir + `EXCEL.EXE"`}},
		{parent: "explorer", exe: winSys("mspaint.exe", "Paint"), weight: 1, cwd: `C:\Users\{u}\Pictures\`, cmds: []string{`"C:\Windows\system32\mspaint.exe"`}},
	},
	nets: []netSpec{
		{actor: "chrome", transport: "tcp", port: 443, peer: peerPublic, weight: 30},
		{actor: "msedge", transport: "tcp", port: 443, peer: peerPublic, weight: 20},
		{actor: "teams", transport: "tcp", port: 443, peer: peerPublic, weight: 12},
		{actor: "teams", transport: "udp", port: 3478, peer: peerPublic, weight: 3},
		{actor: "outlook", transport: "tcp", port: 443, peer: peerPublic, weight: 8},
		{actor: "onedrive", transport: "tcp", port: 443, peer: peerPublic, weight: 6},
		{actor: "svchost-wu", transport: "tcp", port: 443, peer: peerPublic, weight: 3},
		{actor: "svchost-do", transport: "tcp", port: 80, peer: peerPublic, weight: 2},
		{actor: "svchost-dnscache", transport: "udp", port: 53, peer: peerDNS, weight: 10},
		{actor: "msmpeng", transport: "tcp", port: 443, peer: peerPublic, weight: 3},
		{actor: "outlook", transport: "tcp", port: 443, peer: peerInternal, weight: 2},
	},
	files: []fileSpec{
		{actor: "chrome", action: "creation", path: `C:\Users\{u}\AppData\Local\Google\Chrome\User Data\Default\Cache\Cache_Data\f_{r}`, weight: 20},
		{actor: "chrome", action: "modification", path: `C:\Users\{u}\AppData\Local\Google\Chrome\User Data\Default\History-journal`, weight: 6},
		{actor: "chrome", action: "deletion", path: `C:\Users\{u}\AppData\Local\Google\Chrome\User Data\Default\Cache\Cache_Data\f_{r}`, weight: 5},
		{actor: "msedge", action: "creation", path: `C:\Users\{u}\AppData\Local\Microsoft\Edge\User Data\Default\Cache\Cache_Data\f_{r}`, weight: 14},
		{actor: "outlook", action: "modification", path: `C:\Users\{u}\AppData\Local\Microsoft\Outlook\{u}@contoso.com.ost`, weight: 10},
		{actor: "winword", action: "modification", path: `C:\Users\{u}\AppData\Roaming\Microsoft\Word\AutoRecovery save of Budget Review.asd`, weight: 4},
		{actor: "winword", action: "overwrite", path: `C:\Users\{u}\Documents\Budget Review.docx`, weight: 2},
		{actor: "onedrive", action: "modification", path: `C:\Users\{u}\AppData\Local\Microsoft\OneDrive\logs\Business1\SyncEngine-{r}.odl`, weight: 6},
		{actor: "onedrive", action: "creation", path: `C:\Users\{u}\OneDrive - Contoso\Finance\Invoice {n}.pdf`, weight: 3},
		{actor: "teams", action: "modification", path: `C:\Users\{u}\AppData\Local\Packages\MSTeams_8wekyb3d8bbwe\LocalCache\Microsoft\MSTeams\Logs\MSTeams_{r}.log`, weight: 6},
		{actor: "searchindexer", action: "modification", path: `C:\ProgramData\Microsoft\Search\Data\Applications\Windows\Windows.db`, weight: 5},
		{actor: "svchost-do", action: "modification", path: `C:\Windows\ServiceProfiles\NetworkService\AppData\Local\Microsoft\Windows\DeliveryOptimization\Logs\dosvc.{r}.etl`, weight: 3},
		{actor: "msmpeng", action: "modification", path: `C:\ProgramData\Microsoft\Windows Defender\Support\MPLog-20241105-091230.log`, weight: 4},
	},
	regs: []regSpec{
		{actor: "explorer", path: `HKEY_USERS\{sid}\Software\Microsoft\Windows\CurrentVersion\Explorer\RecentDocs\.docx\MRUListEx`, data: `AQAAAAAAAAD/////`, typ: "REG_BINARY", weight: 8},
		{actor: "explorer", path: `HKEY_USERS\{sid}\Software\Microsoft\Windows\CurrentVersion\Explorer\StreamMRU\MRUListEx`, data: `AgAAAAEAAAAAAAAA/////w==`, typ: "REG_BINARY", weight: 4},
		{actor: "chrome", path: `HKEY_USERS\{sid}\Software\Google\Chrome\PreferenceMACs\Default\browser.show_home_button`, data: `6E9A2F3B5C1D4E8F90A1B2C3D4E5F60718293A4B5C6D7E8F9012345678ABCDEF`, typ: "REG_SZ", weight: 4},
		{actor: "onedrive", path: `HKEY_USERS\{sid}\Software\Microsoft\OneDrive\Accounts\Business1\LastSignInTime`, data: `1730799{n}`, typ: "REG_QWORD", weight: 4},
		{actor: "outlook", path: `HKEY_USERS\{sid}\Software\Microsoft\Office\16.0\Outlook\Profiles\Outlook\0a0d020000000000c000000000000046\11020458`, data: `AAAAAA==`, typ: "REG_BINARY", weight: 4},
		{actor: "teams", path: `HKEY_USERS\{sid}\Software\Microsoft\Office\Teams\HomeUserUpn`, data: `{u}@contoso.com`, typ: "REG_SZ", weight: 2},
		{actor: "svchost-wu", path: `HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\WindowsUpdate\Orchestrator\UScheduler\{n}\LastScanTime`, data: `133754{n}`, typ: "REG_QWORD", weight: 2},
		{actor: "searchindexer", path: `HKLM\SOFTWARE\Microsoft\Windows Search\Gathering Manager\Applications\Windows\GatheringSet\FileChanges`, data: `{n}`, typ: "REG_DWORD", weight: 3},
	},
	libs: []libSpec{
		{actor: "chrome", path: `C:\Windows\System32\dwrite.dll`, weight: 6},
		{actor: "chrome", path: `C:\Windows\System32\winhttp.dll`, weight: 4},
		{actor: "msedge", path: `C:\Windows\System32\d3d11.dll`, weight: 4},
		{actor: "outlook", path: `C:\Windows\System32\propsys.dll`, weight: 3},
		{actor: "teams", path: `C:\Windows\System32\mfplat.dll`, weight: 3},
		{actor: "explorer", path: `C:\Windows\System32\windows.storage.dll`, weight: 3},
		{actor: "onedrive", path: `C:\Windows\System32\cldapi.dll`, weight: 2},
		{actor: "searchindexer", path: `C:\Windows\System32\mssrch.dll`, weight: 2},
	},
	dns: []dnsSpec{
		{actor: "chrome", weight: 10, domains: []string{"www.google.com", "fonts.gstatic.com", "www.wikipedia.org", "github.com", "www.bbc.co.uk", "stackoverflow.com", "docs.python.org", "www.nytimes.com", "clients2.google.com", "accounts.google.com", "www.linkedin.com", "news.ycombinator.com"}},
		{actor: "msedge", weight: 6, domains: []string{"www.bing.com", "edge.microsoft.com", "ntp.msn.com", "assets.msn.com", "contoso.sharepoint.com", "portal.office.com"}},
		{actor: "teams", weight: 4, domains: []string{"teams.microsoft.com", "statics.teams.cdn.office.net", "presence.teams.microsoft.com", "login.microsoftonline.com"}},
		{actor: "outlook", weight: 4, domains: []string{"outlook.office365.com", "autodiscover.contoso.com", "login.microsoftonline.com", "substrate.office.com"}},
		{actor: "onedrive", weight: 2, domains: []string{"contoso-my.sharepoint.com", "g.live.com", "oneclient.sfx.ms"}},
		{actor: "svchost-wu", weight: 2, domains: []string{"fe3cr.delivery.mp.microsoft.com", "slscr.update.microsoft.com", "settings-win.data.microsoft.com"}},
	},
}

const (
	chromeMac = "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"
	helperMac = "/Applications/Google Chrome.app/Contents/Frameworks/Google Chrome Framework.framework/Versions/130.0.6723.117/Helpers/Google Chrome Helper (Renderer).app/Contents/MacOS/Google Chrome Helper (Renderer)"
	slackMac  = "/Applications/Slack.app/Contents/MacOS/Slack"
	slackHelp = "/Applications/Slack.app/Contents/Frameworks/Slack Helper (Renderer).app/Contents/MacOS/Slack Helper (Renderer)"
	mdworker  = "/System/Library/Frameworks/CoreServices.framework/Frameworks/Metadata.framework/Versions/A/Support/mdworker_shared"
)

func macSys(path string) exeSpec { return exeSpec{path: path, sig: sigApple, sys: true} }
func macApp(path string, s signer) exeSpec {
	return exeSpec{path: path, sig: s}
}

var macosCatalog = osCatalog{
	roots: []rootSpec{
		{key: "launchd", exe: macSys("/sbin/launchd"), cmd: "/sbin/launchd"},
		{key: "finder", exe: macApp("/System/Library/CoreServices/Finder.app/Contents/MacOS/Finder", sigApple), cmd: "/System/Library/CoreServices/Finder.app/Contents/MacOS/Finder", parent: "launchd", cwd: "/"},
		{key: "chrome", exe: macApp(chromeMac, sigChromeM), cmd: chromeMac, parent: "launchd", cwd: "/"},
		{key: "slack", exe: macApp(slackMac, sigSlackM), cmd: slackMac, parent: "launchd", cwd: "/"},
		{key: "mds", exe: macSys("/System/Library/Frameworks/CoreServices.framework/Frameworks/Metadata.framework/Support/mds"), cmd: "/System/Library/Frameworks/CoreServices.framework/Frameworks/Metadata.framework/Support/mds", parent: "launchd", cwd: "/"},
		{key: "nsurlsessiond", exe: macSys("/usr/libexec/nsurlsessiond"), cmd: "/usr/libexec/nsurlsessiond", parent: "launchd", cwd: "/"},
		{key: "mdnsresponder", exe: macSys("/usr/sbin/mDNSResponder"), cmd: "/usr/sbin/mDNSResponder", parent: "launchd", cwd: "/"},
	},
	children: []childSpec{
		{parent: "chrome", exe: macApp(helperMac, sigChromeM), weight: 30, cwd: "/", cmds: []string{
			`"` + helperMac + `" --type=renderer --lang=en-US --renderer-client-id=31 --shared-files --seatbelt-client=74`,
		}},
		{parent: "slack", exe: macApp(slackHelp, sigSlackM), weight: 8, cwd: "/", cmds: []string{
			`"` + slackHelp + `" --type=renderer --app-path=/Applications/Slack.app/Contents/Resources/app.asar --enable-sandbox --lang=en-US --renderer-client-id=7 --seatbelt-client=64`,
		}},
		{parent: "launchd", exe: macSys(mdworker), weight: 15, cwd: "/", cmds: []string{mdworker + " -s mdworker -c MDSImporterWorker -m com.apple.mdworker.shared"}},
	},
	nets: []netSpec{
		{actor: "chrome", transport: "tcp", port: 443, peer: peerPublic, weight: 20},
		{actor: "slack", transport: "tcp", port: 443, peer: peerPublic, weight: 8},
		{actor: "nsurlsessiond", transport: "tcp", port: 443, peer: peerPublic, weight: 5},
		{actor: "mdnsresponder", transport: "udp", port: 53, peer: peerDNS, weight: 6},
	},
	files: []fileSpec{
		{actor: "chrome", action: "creation", path: "/Users/{u}/Library/Caches/Google/Chrome/Default/Cache/Cache_Data/f_{r}", weight: 20},
		{actor: "chrome", action: "modification", path: "/Users/{u}/Library/Application Support/Google/Chrome/Default/History-journal", weight: 5},
		{actor: "slack", action: "modification", path: "/Users/{u}/Library/Application Support/Slack/IndexedDB/https_app.slack.com_0.indexeddb.leveldb/{n}.log", weight: 6},
		{actor: "mds", action: "modification", path: "/private/var/db/Spotlight-V100/BootVolume/Store-V2/5C3F0A52-1E4B-4D3C-9B8A-7F6E5D4C3B2A/journalAttr.{n}", weight: 4},
		{actor: "finder", action: "creation", path: "/Users/{u}/Documents/Notes {n}.pdf", weight: 2},
	},
	dns: nil,
}

var linuxCatalog = osCatalog{
	roots: []rootSpec{
		{key: "systemd", exe: exeSpec{path: "/usr/lib/systemd/systemd", sys: true}, cmd: "/sbin/init splash"},
		{key: "sshd", exe: exeSpec{path: "/usr/sbin/sshd", sys: true}, cmd: "sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups", parent: "systemd", cwd: "/"},
		{key: "nginx", exe: exeSpec{path: "/usr/sbin/nginx", sys: true}, cmd: "nginx: worker process", parent: "systemd", cwd: "/"},
		{key: "node", exe: exeSpec{path: "/usr/bin/node"}, cmd: "/usr/bin/node /srv/app/server.js", parent: "systemd", cwd: "/srv/app"},
		{key: "journald", exe: exeSpec{path: "/usr/lib/systemd/systemd-journald", sys: true}, cmd: "/usr/lib/systemd/systemd-journald", parent: "systemd", cwd: "/"},
		{key: "postgres", exe: exeSpec{path: "/usr/lib/postgresql/16/bin/postgres"}, cmd: "/usr/lib/postgresql/16/bin/postgres -D /var/lib/postgresql/16/main -c config_file=/etc/postgresql/16/main/postgresql.conf", parent: "systemd", cwd: "/var/lib/postgresql/16/main"},
	},
	children: []childSpec{
		{parent: "systemd", exe: exeSpec{path: "/usr/sbin/logrotate", sys: true}, weight: 3, cwd: "/", cmds: []string{"/usr/sbin/logrotate /etc/logrotate.conf"}},
		{parent: "systemd", exe: exeSpec{path: "/usr/bin/systemd-tmpfiles", sys: true}, weight: 2, cwd: "/", cmds: []string{"systemd-tmpfiles --clean"}},
		{parent: "systemd", exe: exeSpec{path: "/usr/sbin/fstrim", sys: true}, weight: 1, cwd: "/", cmds: []string{"/sbin/fstrim --listed-in /etc/fstab:/proc/self/mountinfo --verbose --quiet-unsupported"}},
		{parent: "node", exe: exeSpec{path: "/usr/bin/node"}, weight: 4, cwd: "/srv/app", cmds: []string{"/usr/bin/node /srv/app/jobs/render-report.js --queue=reports", "/usr/bin/node /srv/app/jobs/resize-images.js"}},
		{parent: "postgres", exe: exeSpec{path: "/usr/lib/postgresql/16/bin/postgres"}, weight: 10, cwd: "/var/lib/postgresql/16/main", cmds: []string{"postgres: 16/main: app appdb 10.20.3.15(51234) idle", "postgres: 16/main: autovacuum worker"}},
	},
	nets: []netSpec{
		{actor: "nginx", ingress: true, transport: "tcp", port: 443, peer: peerPublic, weight: 20},
		{actor: "node", transport: "tcp", port: 5432, peer: peerInternal, weight: 10},
		{actor: "node", transport: "tcp", port: 443, peer: peerPublic, weight: 5},
		{actor: "postgres", ingress: true, transport: "tcp", port: 5432, peer: peerInternal, weight: 8},
	},
	files: []fileSpec{
		{actor: "nginx", action: "modification", path: "/var/log/nginx/access.log", weight: 20},
		{actor: "journald", action: "modification", path: "/var/log/journal/3f1c2e0d9b8a47c6a5e4d3c2b1a09f8e/system.journal", weight: 10},
		{actor: "node", action: "creation", path: "/srv/app/data/cache/{r}.json", weight: 6},
		{actor: "node", action: "deletion", path: "/srv/app/data/cache/{r}.json", weight: 4},
		{actor: "postgres", action: "modification", path: "/var/lib/postgresql/16/main/base/16384/{n}", weight: 8},
	},
}

// catalogs is indexed by osKind.
var catalogs = [numOS]*osCatalog{&windowsCatalog, &linuxCatalog, &macosCatalog}
