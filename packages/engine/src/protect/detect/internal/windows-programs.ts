/**
 * The Windows programs, `cmd.exe` builtins and PowerShell commands the Windows command detector knows, and
 * how much each name says on its own. Names are lower-case; a reader lower-cases a word and drops its
 * executable suffix (`.exe`, `.com`, `.bat`, `.cmd`) before looking it up.
 */

const words = (text: string): ReadonlySet<string> => new Set(text.split(/\s+/).filter((w) => w !== ''));

/**
 * Programs no prose or data names after a separator (`; regedit`, `&bcdboot`, `|certutil`): system
 * administration, reconnaissance, download and "living off the land" binaries attackers run. Telling after a
 * command separator whatever follows, as long as the name stands as a word of its own.
 */
export const TELLING_PROGRAMS: ReadonlySet<string> = words(`
  accesschk adfind atbroker attrib auditpol bcdboot bcdedit bitsadmin bootcfg cacls certreq certutil
  cmdkey cmstp conhost cscript csvde diskpart diskshadow dism dnscmd driverquery dsadd dsget dsmod dsquery
  esentutl eventcreate findstr forfiles fsutil getmac gpresult gpupdate icacls ieexec
  infdefaultinstall installutil ipconfig klist ldifde makecab mavinject mofcomp msbuild msdt msiexec
  mshta msxsl nbtstat netsh netstat nltest ntdsutil odbcconf pathping pcalua pnputil powershell
  presentationhost procdump psexec psexec64 pwsh qprocess quser qwinsta reagentc regasm regedit regedt32
  regini regsvcs regsvr32 robocopy rundll32 runas rwinsta schtasks scriptrunner sdbinst setspn
  syncappvpublishingserver systeminfo takeown taskkill tasklist tracert tscon vssadmin wbadmin
  wevtutil whoami winrm winrs wmic wscript wusa xcopy
`);

/**
 * Programs whose first argument is a subcommand, telling only with one of theirs (`net user`, `reg add`,
 * `sc create`): the bare names are words (`net`, `reg`, `sc`).
 */
export const SUBCOMMANDS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['net', words('user users localgroup group share use view start stop session accounts config time')],
  ['net1', words('user users localgroup group share use view start stop session accounts config time')],
  ['reg', words('add query delete export import save load unload copy compare restore')],
  ['sc', words('create config start stop query queryex delete qc failure sdset sdshow description')],
]);

/**
 * `cmd.exe` builtins and programs named by English words or named in prose about Windows (`copy`, `type`,
 * `start`, `more`, `cmd`): telling after a separator only with Windows command-line syntax, a `/x` switch, a
 * drive or UNC path, a `%VAR%` expansion or a redirection to a file.
 */
export const WORDY_PROGRAMS: ReadonlySet<string> = words(`
  assoc call cd chcp chdir cipher clip cmd comp compact control copy date del dir echo erase expand explorer fc
  eventvwr find format ftype hostname label md mkdir mklink mode more move msconfig path popd print pushd rd ren rename
  replace rmdir set shutdown sort start taskmgr timeout title tree type ver vol where
`);

/**
 * What may follow an `if` condition or a `for … do` as a command, beside the programs above: the builtins
 * that batch files run from a condition (`goto`, `exit`, `setlocal`), by name.
 */
export const CMD_BUILTINS: ReadonlySet<string> = words(`
  assoc call cd chdir cls color copy date del dir echo endlocal erase exit for ftype goto if md mkdir
  mklink move path pause popd prompt pushd rd rem ren rename rmdir set setlocal shift start time title type
  ver verify vol cmd command
`);

/**
 * PowerShell cmdlets that download, run code or programs, reach other machines, persist or weaken defences,
 * by their full verb-noun name: telling with an argument (`Invoke-WebRequest http://…`, `Start-Process -FilePath …`).
 */
export const POWERSHELL_CMDLETS: ReadonlySet<string> = words(`
  invoke-webrequest invoke-restmethod invoke-expression invoke-command invoke-item invoke-wmimethod
  invoke-cimmethod invoke-shellcode invoke-mimikatz invoke-reflectivepeinjection invoke-dllinjection
  start-process start-bitstransfer start-job new-object add-type set-executionpolicy get-wmiobject
  get-ciminstance register-scheduledtask new-scheduledtaskaction new-service set-mppreference
  add-mppreference new-itemproperty set-itemproperty enter-pssession new-pssession new-localuser
  add-localgroupmember new-psdrive
`);

/**
 * PowerShell aliases of those cmdlets (`iex`, `iwr`, `saps`): telling after a separator with an argument.
 * Short, so never looked for elsewhere.
 */
export const POWERSHELL_ALIASES: ReadonlySet<string> = words(`
  iex iwr irm icm saps sajb iwmi gwmi gcim icim ii ipmo sal nal etsn nsn
`);

/** PowerShell's options that run the code or the file that follows (`-enc …`, `-c …`, `-File …`). */
export const POWERSHELL_OPTIONS: ReadonlySet<string> = words(`
  c command e ec en enc enco encodedcommand f file nop noprofile noni noninteractive w windowstyle ep ex exe
  exec executionpolicy sta mta nol nologo version
`);
