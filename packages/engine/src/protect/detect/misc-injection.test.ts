import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  detectMailCommand,
  detectMailHeader,
  detectOastDomain,
  detectScannerUserAgent,
  detectServerSideInclude,
  detectSessionFixation,
  detectGenericSessionIdName,
  detectSessionIdName,
  detectSurveyUserAgent,
} from './misc-injection.js';

const at = { location: 'form:message' };
const ua = { location: 'header:user-agent' };

describe('detectServerSideInclude', () => {
  it('finds SSI and ESI directives', () => {
    assert.equal(detectServerSideInclude('<!--#exec cmd="ls" -->', at)?.detail, 'ssi-directive');
    assert.equal(detectServerSideInclude('x<!-- #include virtual="/etc/passwd" -->', at)?.detail, 'ssi-directive');
    assert.equal(detectServerSideInclude('<esi:include src="http://example.com/"/>', at)?.detail, 'esi-directive');
  });

  it('passes HTML comments and hash signs', () => {
    for (const value of ['<!-- #1 best seller -->', '<!-- exec summary -->', '#include <stdio.h>', 'see <b>#exec</b>']) {
      assert.equal(detectServerSideInclude(value, at), undefined, value);
    }
  });
});

describe('detectMailCommand', () => {
  it('finds SMTP, IMAP and POP3 commands on their own line', () => {
    for (const value of [
      '\r\nRCPT TO: test@example.com\n',
      '\r\nQUIT\r\n',
      'x\r\nV100 CAPABILITY\r\nV101 FETCH 4791',
      'a\nA1 LOGIN bob secret',
      'x\r\nRETR 1',
    ]) {
      assert.ok(detectMailCommand(value, at), JSON.stringify(value));
    }
  });

  it('passes multi-line prose with the same words', () => {
    for (const value of [
      'Please quit\nthe meeting',
      'Data\n----\nthe numbers',
      'I will FETCH it\nlater',
      'QUIT',
      'step 1\nSELECT the option you want below',
    ]) {
      assert.equal(detectMailCommand(value, at), undefined, JSON.stringify(value));
    }
  });
});

describe('detectMailHeader', () => {
  it('finds a mail header after an address and a line break', () => {
    assert.equal(detectMailHeader('me@example.com\nBcc: you@example.net', { location: 'form:email' })?.detail, 'mail-header');
    assert.ok(detectMailHeader('<me@example.com>\r\nSubject: hi', { location: 'form:email' }));
  });

  it('passes text that has a header-like line but no address before it', () => {
    assert.equal(detectMailHeader('Hi all\nTo: the team, cc: me@example.com', at), undefined);
    assert.equal(detectMailHeader('me@example.com', at), undefined);
  });
});

describe('detectSessionFixation and detectSessionIdName', () => {
  it('finds markup and script that set a cookie', () => {
    assert.equal(detectSessionFixation('<meta http-equiv="Set-Cookie" content="sid=1">', at)?.detail, 'set-cookie-meta');
    assert.equal(detectSessionFixation('document.cookie="sid=1; domain=.example.com"', at)?.detail, 'script-cookie');
    assert.ok(detectSessionFixation('x.cookie;expires=', at));
  });

  it('passes prose about cookies', () => {
    assert.equal(detectSessionFixation('I setted the COOKIE value to : expandGeoJsonFeatures=true;', at), undefined);
    assert.equal(detectSessionFixation('cookie policy; expires at midnight', at), undefined);
  });

  it('finds framework session cookie names used as parameters, not generic session names', () => {
    for (const name of [
      'JSESSIONID',
      'phpsessid',
      'ASPSESSIONIDQACTSRDA',
      'connect.sid',
      'laravel_session',
      'WebLogicSession',
      'jservsession',
      'zend_session_id',
      'meteor_login_token',
      'shiny-token',
      '_myshop_session',
      'phpsession',
    ]) {
      assert.ok(detectSessionIdName(name, { location: `query-name:${name}` }), name);
    }
    for (const name of ['sid', 'sessionId', 'session', 'session_id', '_session', 'user_session_count'])
      assert.equal(detectSessionIdName(name, { location: `query-name:${name}` }), undefined, name);
  });

  it('finds generic session-id names only with the paranoia 2 detector', () => {
    for (const name of ['sessionid', 'session-id', 'SESSION_ID', 'sessionId'])
      assert.ok(detectGenericSessionIdName(name, { location: `query-name:${name}` }), name);
    for (const name of ['sid', 'session', 'session_ids', 'sessionidx'])
      assert.equal(detectGenericSessionIdName(name, { location: `query-name:${name}` }), undefined, name);
  });
});

describe('scanner detectors', () => {
  it('finds attack tools in a User-Agent, as whole words', () => {
    for (const value of [
      'sqlmap/1.7.4#stable (https://sqlmap.org)',
      'Mozilla/5.00 (Nikto/2.1.6)',
      'Fuzz Faster U Fool v2.0.0',
      'Mozilla/5.0 [en] (X11, U; OpenVAS-VT 22.4.1)',
      'gobuster/3.6',
    ]) {
      assert.equal(detectScannerUserAgent(value, ua)?.detail, 'attack-tool', value);
    }
    for (const value of [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/122.0 Safari/537.36',
      'curl/8.4.0',
      'Dirbaby/1.0',
      'nucleic-acid-app/2',
    ]) {
      assert.equal(detectScannerUserAgent(value, ua), undefined, value);
    }
  });

  it('tells survey scanners apart', () => {
    assert.equal(detectSurveyUserAgent('Mozilla/5.0 (compatible; CensysInspect/1.1)', ua)?.detail, 'survey-tool');
    assert.equal(detectScannerUserAgent('Mozilla/5.0 (compatible; CensysInspect/1.1)', ua), undefined);
  });

  it('finds hosts under interaction services, not the services named in prose', () => {
    assert.equal(detectOastDomain('http://abc123.oast.me/x', at)?.detail, 'oast-domain');
    assert.ok(detectOastDomain('root@w63gecoroprj5um8ypnd7r6in9t0hseg3.INTERACT.SH', at));
    assert.equal(detectOastDomain('we use interact.sh for testing', at), undefined);
    assert.equal(detectOastDomain('see example.com', at), undefined);
  });
});
