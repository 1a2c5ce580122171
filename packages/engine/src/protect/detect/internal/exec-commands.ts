/**
 * The programs the command-injection detector knows, and how much each one says on its own. A program
 * name after a shell separator is only evidence when the name is a program attackers run and what follows
 * it reads like a shell command line; these tables say which names are telling by themselves (`whoami`),
 * which are telling without arguments (`;id`), which take numbers (`sleep 5`) and which run code given on
 * their command line (`bash -c`).
 */

const words = (text: string): string[] => text.split(/\s+/).filter((w) => w !== '');

/**
 * Unix programs and shell builtins, matched case-sensitively (a Unix shell does not find `Cat`). A
 * general list: reconnaissance, file reading, downloading, networking, interpreters, compilers and the
 * tools whose options run other programs.
 */
const UNIX = new Set(
  words(`
    alias ansible ansible-config ansible-console ansible-doc ansible-galaxy ansible-inventory ansible-playbook
    ansible-pull ansible-vault apt apt-get ar arp aria2c arj ash awk base32 base64 basename basenc bash
    bc bridge bsdtar builtin bunzip2 busybox bzcat bzip2 c89 c99 cancel capsh cat cc certbot chattr chef
    chef-client chef-run chef-shell chef-vault chgrp chmod chown chroot cksum clang column comm command cp
    cpan cpio cpulimit crash crontab csh csplit csvtool cupsfilter curl cut dash date dd declare diff dig
    dir dmesg dmidecode dmsetup dnf docker dos2unix dosbox dpkg dstat du easy_install echo ed egrep emacs env
    eval exec expand expect export expr facter false fgrep file find finger flock fmt fold ftp g++ gawk gcc gcore gdb
    gem getent getfacl gimp git grep groups gunzip gzip hd head hexdump host hostid hostname iconv id ifconfig
    install ionice ip iptables irb jjs journalctl jq jrunscript jshell kill killall ksh last lastb lastlog
    lastlogin ld ldconfig ldd less links ln locate logsave look lp ls lsattr lsblk lsmod lsof ltrace lua lwp-download
    lwp-request lynx mail make man mawk md5sum mkdir mkfifo mknod more mount mv mysql nano nawk nc ncat neofetch
    net netcat netstat nice nl nmap node nodejs nohup nproc nsenter nslookup od openssl passwd paste patch perf
    perl perl5 pg pgrep php php5 php7 php8 pic pico pidof pip pip3 pipx pkexec pkill pr printenv printf ps psql
    ptx puppet pwd python python2 python3 rake readelf readlink rev rm rmdir rmt rmt-dump rmt-tar route rpm
    rsync ruby run-parts rview rvim scp screen script sed service setarch setfacl sftp sg sh sha1sum sha256sum
    shred shuf shutdown sleep smbclient socat sort split sqlite3 ss ssh ssh-keygen start-stop-daemon stat
    stdbuf strace strings su sudo sysctl systemctl tac tail tar taskset tclsh tcpdump tcsh tee telnet tftp time
    timeout tmux top touch tr traceroute trap true ul uname uncompress unexpand uniq unshare unzip uptime useradd
    usermod vi view vigr vim vipw visudo wall watch wc wget whereis which who whoami whois xargs xxd xz yes
    yum zcat zip zsh zsoelim zypper cscli
    aa-disable aa-enforce aa-exec aa-status ab apt-cache aptitude atq bsdcat bzless bzmore chef
    chef-apply chef-solo cobc column comm cowsay cpan cut dig diff3 dnsdomainname doas dockerd dosbox
    ed expand fold fping gdbserver genisoimage ghc ghci gpg gpg2 groups gtester hping3 htop iftop ionice
    ip6tables ipset julia kubectl ksshell last lastcomm lftp loginctl logname lsb_release lshw lsusb lua5.1
    luajit lz4 lz4cat lzcat lzma lzop masscan mkpasswd msfconsole msfvenom mutt mysqldump ncftp nft nmcli
    nping nsupdate ocaml pdksh perlbug pftp php-cgi php-fpm pigz pr ptar python-config rbash readelf redis-cli
    restic rlogin rlwrap rpmquery run-mailcap runc rustc sash scl sed set setsid sftp showmount slsh smbmap
    split sqlmap ssh-keyscan sshpass stdbuf su sysinfo tac tar tcpflow tcptraceroute tdbtool
    tmate tshark unlzma unpigz unrar unxz unzstd update-alternatives vagrant valgrind vipe wireshark
    xdotool xmodmap xterm xzcat xzless zathura zcmp zdiff zegrep zfgrep zgrep zip zipcloak zipinfo zless
    zmore znew zstd zstdcat zstdgrep zstdless unset shopt ulimit umask who
  `),
);

/** Windows programs and `cmd` builtins, matched case-insensitively. */
const WINDOWS = new Set(
  words(`
    arp assoc attrib bitsadmin cacls certutil cmd cmstp copy cscript curl del dir dnscmd driverquery echo
    findstr forfiles fsutil ftp hostname icacls ipconfig mshta msiexec nbtstat net net1 netsh netstat nltest
    nslookup pathping ping powershell pwsh qwinsta reg regsvr32 rundll32 sc schtasks systeminfo taskkill
    tasklist tracert type ver vssadmin wevtutil whoami wmic wscript xcopy iex iwr irm
  `),
);

/**
 * Names telling after a separator whatever follows: nobody writes `; whoami` or `| wget` in prose or in
 * data. Interpreters (`python`, `perl`) are not here: lists of languages (`java;python;go`) are common.
 */
const DISTINCTIVE = new Set(
  words(`
    whoami uname ifconfig ipconfig netstat nslookup wget curl systeminfo tasklist getent powershell pwsh
    ncat netcat socat telnet xxd chmod chown passwd useradd usermod crontab nohup busybox certutil bitsadmin
    wmic rundll32 regsvr32 mshta cscript wscript msiexec schtasks lsof strace ltrace traceroute tracert
    iptables mkfifo mknod base64 base32 gdb irb jrunscript jjs cpulimit visudo lastlog lastlogin rmt rmt-dump
    rmt-tar lwp-download lwp-request ansible ansible-config ansible-console ansible-doc ansible-galaxy
    ansible-inventory ansible-playbook ansible-pull ansible-vault chef-client chef-run chef-shell chef-vault
    cscli printenv dmesg nmap smbclient nltest vssadmin pkexec aptitude htop bsdtar zstdcat unxz xzcat lzcat
    aa-disable aa-exec msfconsole msfvenom sqlmap masscan hping3 sshpass kubectl tshark tcpdump
    ssh-keygen ssh-keyscan lsb_release dnsdomainname showmount redis-cli mysqldump perf
  `),
);

/** Names telling right after a separator even with nothing after them (`;id`, `|ls|`). */
const BARE = new Set(words('id ls pwd ps env sh bash dash zsh ksh tcsh reboot shutdown dir uptime hostname htop aptitude'));

/**
 * Names that are a command wherever they stand, even as the whole value: administration and automation
 * tools whose names are no word, product or endpoint (`visudo`, `ansible-playbook …`, `cscli alerts list`).
 * `whoami` is not here: it is a common API endpoint name.
 */
const UNMISTAKABLE = new Set(
  words(`
    visudo vipw vigr ansible-config ansible-console ansible-doc ansible-galaxy ansible-inventory ansible-playbook
    ansible-pull ansible-vault chef-client chef-run chef-shell chef-vault chef-apply chef-solo cscli aa-disable
    aa-enforce aa-exec msfconsole msfvenom zstdcat bsdtar start-stop-daemon run-parts
  `),
);

/** Interpreters and compilers often called with their version glued on (`python3.10`, `gcc10.1`, `php7.4`). */
const VERSIONED = new Set(words('python python2 python3 perl perl5 php ruby gcc g++ clang node lua pip pip3 tclsh'));
const VERSION_SUFFIX = /^([a-z][a-z+]*[a-z+])-?\d+(?:\.\d+)*$/;

/** Programs that take a number (`sleep 5`, `ping -n 3`), the shape of time-based blind injection. */
const NUMERIC = new Set(words('sleep ping timeout usleep'));

/** Programs whose arguments are host names or addresses. */
const NETWORK = new Set(words('ping nslookup dig host curl wget nc ncat netcat telnet getent whois traceroute tracert ftp tftp ssh scp'));

/**
 * Interpreters, and the options that make them run code given on the command line. A name here followed by
 * one of its options is an attack anywhere in a value (`bash -c …`, `perl -e …`, `cmd /c …`).
 */
const CODE_OPTIONS: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  Object.entries({
    sh: '-c',
    bash: '-c -i',
    dash: '-c',
    zsh: '-c',
    ksh: '-c',
    csh: '-c',
    tcsh: '-c',
    ash: '-c',
    busybox: 'sh ash nc wget',
    python: '-c',
    python2: '-c',
    python3: '-c',
    perl: '-e -E',
    perl5: '-e -E',
    ruby: '-e -rsocket',
    php: '-r',
    node: '-e -p --eval --print',
    nodejs: '-e -p --eval',
    lua: '-e',
    powershell: '-c -command -e -ec -enc -encodedcommand -nop -noprofile -w -windowstyle -ep -executionpolicy -exec -noni -file',
    pwsh: '-c -command -e -ec -enc -encodedcommand -nop -noprofile -w -windowstyle -ep -executionpolicy -exec -noni -file',
    cmd: '/c /k /r',
    nc: '-e -c',
    ncat: '-e -c --exec --sh-exec --lua-exec',
    netcat: '-e -c',
    socat: 'exec: system:',
    mshta: 'http: https: javascript: vbscript:',
    certutil: '-urlcache -decode -decodehex',
    bitsadmin: '/transfer /addfile',
    rundll32: 'javascript: url.dll,fileprotocolhandler',
    regsvr32: '/i:http /i:https',
  }).map(([name, options]) => [name, new Set(words(options))]),
);

/** Shells: a pipe into one of these (`… | sh`) runs what came before it. */
const SHELLS = new Set(words('sh bash dash zsh ksh csh tcsh ash'));

/**
 * Commands that run the command after them (`time whoami`, `nohup sh -c …`, `sudo id`), and shell keywords
 * that put a command after them (`then id`).
 */
const PREFIXES = new Set(words('time nohup strace ltrace sudo doas exec command builtin nice stdbuf then do else ! if while until'));

/** Names a globbed command word (`/???/c?t`, `/bin/ca*`) is tried against. */
const GLOB_TARGETS = words(
  'cat nc ncat sh bash dash id ls wget curl whoami uname python python3 perl ruby php ping sleep echo head tail ' +
    'more less base64 chmod telnet ifconfig netstat nslookup passwd env awk sed find grep xxd od tac',
);

/**
 * The first three characters of every known program name as a bit set over lower-cased ASCII codes; a name
 * of two characters has a third "code" of 0, which stands for any character that cannot continue a name.
 */
const FIRST_THREE: Uint32Array = (() => {
  const bits = new Uint32Array((128 * 128 * 128) / 32);
  for (const name of [...UNIX, ...WINDOWS]) {
    const key = threeKey(name.toLowerCase(), 0);
    bits[key >>> 5] = (bits[key >>> 5] as number) | (1 << (key & 31));
  }
  return bits;
})();

function threeKey(text: string, at: number): number {
  const first = (text.charCodeAt(at) | 32) & 127;
  const second = (text.charCodeAt(at + 1) | 32) & 127;
  const next = text.charCodeAt(at + 2);
  const third =
    (next >= 0x30 && next <= 0x39) || ((next | 32) >= 0x61 && (next | 32) <= 0x7a) || next === 0x2d || next === 0x5f
      ? (next | 32) & 127
      : 0;
  return (first * 128 + second) * 128 + third;
}

/** Characters that make a word's first letters say nothing: quotes, escapes, expansions, globs, slashes. */
const OPAQUE = /['"\\^$?*[/{%`]/;

/**
 * Cheap test of the three characters at `at`: false when no known program name starts with them and they
 * hide nothing (no quote, escape, expansion, glob or path). Most words of benign values stop here.
 */
export function mayStartProgram(value: string, at: number): boolean {
  const key = threeKey(value, at);
  if ((((FIRST_THREE[key >>> 5] as number) >>> (key & 31)) & 1) === 1) return true;
  return OPAQUE.test(value.slice(at, at + 3));
}

/** What the detector knows about one program name. */
export interface CommandInfo {
  /** The name as matched: lower-case for Windows names, `.exe` and the like dropped. */
  name: string;
  /** Known only as a Windows program (case-insensitive there). */
  windows: boolean;
  /** Written with a Windows executable suffix (`ping.exe`). */
  suffixed: boolean;
}

/** `.exe`, `.com`, `.bat`, `.cmd`: how Windows command lines name programs explicitly. */
const WINDOWS_SUFFIX = /\.(?:exe|com|bat|cmd)$/i;

/** The program a command word names, or undefined when it names none the detector knows. */
export function knownCommand(word: string): CommandInfo | undefined {
  if (word === '' || word.length > 40) return undefined;
  if (UNIX.has(word)) return { name: word, windows: false, suffixed: false };
  const versioned = VERSION_SUFFIX.exec(word);
  if (versioned !== null) {
    const stem = versioned[1] as string;
    if (VERSIONED.has(stem)) return { name: stem, windows: false, suffixed: false };
  }
  const lower = word.toLowerCase();
  const suffixed = WINDOWS_SUFFIX.test(lower);
  const bare = suffixed ? lower.slice(0, -4) : lower;
  if (WINDOWS.has(bare)) return { name: bare, windows: true, suffixed };
  if (suffixed && UNIX.has(bare)) return { name: bare, windows: false, suffixed };
  return undefined;
}

/** True for names telling after a separator whatever follows them. */
export const isDistinctive = (name: string): boolean => DISTINCTIVE.has(name);
/** True for names that are a command wherever they stand, even alone. */
export const isUnmistakable = (name: string): boolean => UNMISTAKABLE.has(name);
/** True for names telling after a separator even with nothing after them. */
export const isBareTelling = (name: string): boolean => BARE.has(name) || DISTINCTIVE.has(name);
/** True for programs that take a count or a duration. */
export const takesNumber = (name: string): boolean => NUMERIC.has(name);
/** True for programs that take a host name or an address. */
export const takesHost = (name: string): boolean => NETWORK.has(name);
/** True for shells (`sh`, `bash`). */
export const isShell = (name: string): boolean => SHELLS.has(name);
/** True for words that run the command after them (`time`, `nohup`, `sudo`) and keywords that lead a command. */
export const isPrefix = (word: string): boolean => PREFIXES.has(word);

/** True when `option` makes interpreter `name` run code from its command line (`-c` for `sh`, `/c` for `cmd`). */
export function runsCodeOption(name: string, option: string): boolean {
  const options = CODE_OPTIONS.get(name);
  if (options === undefined) return false;
  const lower = option.toLowerCase();
  if (options.has(lower)) return true;
  // `/i:http://…`, `exec:/bin/sh`, `javascript:…`: options that carry their value after a colon or a comma
  for (const known of options) if (/[:,]/.test(known) && lower.startsWith(known)) return true;
  return false;
}

/** The directories Unix programs live in; an absolute path into one of them names a program for sure. */
const BIN_DIRECTORIES = ['/bin', '/sbin', '/usr/bin', '/usr/sbin', '/usr/local/bin', '/usr/local/sbin'];

/** True when `directory` (no trailing slash) is, or as a glob could be, a directory of programs. */
export function isBinDirectory(directory: string): boolean {
  if (BIN_DIRECTORIES.includes(directory)) return true;
  if (!hasGlob(directory)) return false;
  return BIN_DIRECTORIES.some((candidate) => globMatches(directory, candidate));
}

/** A known program a globbed word could expand to (`c?t` → `cat`), or undefined. */
export function globCommand(pattern: string): string | undefined {
  if (pattern.length < 2 || pattern.length > 24 || !/[a-z]/.test(pattern)) return undefined;
  return GLOB_TARGETS.find((name) => globMatches(pattern, name));
}

/** True when the text has shell glob characters. */
export const hasGlob = (text: string): boolean => /[*?[]/.test(text);

/**
 * Shell glob matching of short strings: `*`, `?` and bracket expressions (`[ab]`, `[a-z]`, `[!x]`).
 * Both strings are short (callers bound them), and the classic two-pointer walk with one backtrack point
 * keeps it linear in practice.
 */
export function globMatches(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let starP = -1;
  let starT = 0;
  while (t < text.length) {
    const c = pattern[p];
    if (c === '*') {
      starP = p++;
      starT = t;
      continue;
    }
    if (c === '?') {
      p++;
      t++;
      continue;
    }
    if (c === '[') {
      const close = pattern.indexOf(']', p + 2);
      if (close > 0 && bracketMatches(pattern.slice(p + 1, close), text[t] ?? '')) {
        p = close + 1;
        t++;
        continue;
      }
    } else if (c !== undefined && c === text[t]) {
      p++;
      t++;
      continue;
    }
    if (starP < 0) return false;
    p = starP + 1;
    t = ++starT;
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

function bracketMatches(set: string, c: string): boolean {
  const negated = set[0] === '!' || set[0] === '^';
  const body = negated ? set.slice(1) : set;
  let found = false;
  for (let i = 0; i < body.length; i++) {
    const from = body[i] ?? '';
    if (body[i + 1] === '-' && i + 2 < body.length) {
      const to = body[i + 2] ?? '';
      if (c >= from && c <= to) found = true;
      i += 2;
    } else if (from === c) found = true;
  }
  return found !== negated;
}
