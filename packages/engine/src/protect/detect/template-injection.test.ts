// biome-ignore-all lint/suspicious/noTemplateCurlyInString: template syntax is what these values are about
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectTemplateInjection, detectTemplateStatement } from './template-injection.js';

const at = { location: 'form:body' };

describe('detectTemplateInjection', () => {
  it('finds expressions that compute on literals, in every delimiter', () => {
    for (const value of ['{{7*7}}', '${7*7}', '#{16*8787}', "aaaa'+#{16*8787}+'bbb", '<%= 7*7 %>', '{{1337*1338}}', '*{7*7}', '${{7*7}}']) {
      assert.equal(detectTemplateInjection(value, at)?.detail, 'literal-arithmetic', value);
    }
  });

  it('finds object walks and runtime access', () => {
    assert.equal(detectTemplateInjection("{{ ''.__class__.__mro__[1].__subclasses__() }}", at)?.detail, 'python-object-walk');
    assert.equal(detectTemplateInjection('{{_self.env.registerUndefinedFilterCallback("exec")}}', at)?.detail, 'runtime-access');
    assert.equal(detectTemplateInjection('${T(java.lang.Runtime).getRuntime().exec("id")}', at)?.detail, 'runtime-access');
    assert.ok(detectTemplateInjection('<#assign ex = "freemarker.template.utility.Execute"?new()>${ ex("id")}', at));
    assert.equal(detectTemplateInjection('#set($x = $e.getClass().forName("java.lang.Runtime"))', at)?.detail, 'velocity-set');
    assert.equal(detectTemplateInjection('{{config.items()}}', at)?.detail, 'config-leak');
    assert.equal(
      detectTemplateInjection('this.constructor.constructor("return process")()', at)?.detail,
      'javascript-function-constructor',
    );
  });

  it('passes placeholders people post in template editors', () => {
    for (const value of [
      'Hello {{name}}, your order {{ order.id }} ships {{ date | format("d M") }}',
      'Total: ${total}',
      '{{#each items}}{{this.title}}{{/each}}',
      "{{ $t('greeting') }}",
      '#{user.name}',
      'Costs $5 {or more}',
      '{{2024-01-31}}',
      '<% if (user) { %>hi<% } %>',
    ]) {
      assert.equal(detectTemplateInjection(value, at), undefined, value);
    }
  });

  it('passes unterminated openers and binary noise', () => {
    assert.equal(detectTemplateInjection('${7*7', at), undefined);
    assert.equal(detectTemplateInjection('\u0001{{7*7\u0002}}', at), undefined);
    assert.equal(detectTemplateInjection('q`SY{E3<#@lLk`l T%{9,5^', at), undefined);
  });
});

describe('detectTemplateStatement', () => {
  it('finds statements on constant conditions', () => {
    assert.equal(detectTemplateStatement('{% if 1 == 1 %}49{% endif %}', at)?.detail, 'constant-condition');
    assert.equal(detectTemplateStatement('{% if user.admin %}x{% endif %}', at), undefined);
  });
});
