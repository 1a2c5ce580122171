import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectXxe } from './xxe.js';

const at = { location: 'body' };

describe('detectXxe', () => {
  it('finds external entities, external DTDs and parameter entities', () => {
    assert.equal(detectXxe('<!DOCTYPE foo [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]><foo>&xxe;</foo>', at)?.detail, 'external-entity');
    assert.equal(detectXxe('<!DOCTYPE x SYSTEM "//x/x" > <x>a</x>', at)?.detail, 'external-dtd');
    assert.equal(detectXxe('<!DOCTYPE x [ <!ENTITY % y SYSTEM "//y/y" > %y; ]><x>a</x>', at)?.detail, 'external-parameter-entity');
    assert.equal(
      detectXxe('<!ENTITY % file SYSTEM "file:///etc/hostname">', { location: 'query:name' })?.detail,
      'external-parameter-entity',
    );
  });

  it('finds entity expansion (billion laughs), XInclude and schema tricks', () => {
    assert.equal(detectXxe('<!DOCTYPE l [<!ENTITY a "x"><!ENTITY b "&a;&a;&a;">]><l>&b;</l>', at)?.detail, 'entity-expansion');
    assert.equal(
      detectXxe('<foo xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include parse="text" href="file:///etc/hostname"/></foo>', at)?.detail,
      'xinclude',
    );
    assert.equal(
      detectXxe('<x xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://attacker.example/"/>', at)?.detail,
      'schema-location',
    );
  });

  it('finds a declaration hidden behind UTF-7', () => {
    const value =
      '<?xml version="1.0" encoding="UTF-7"?>\n+ADwAIQ-DOCTYPE foo+AFs +ADwAIQ-ENTITY xxe SYSTEM +ACI-http://attacker.example+ACI +AD4AXQA+';
    assert.equal(detectXxe(value, at)?.detail, 'utf7-external-entity');
  });

  it('judges attributes of a parsed body by where they sit', () => {
    assert.equal(detectXxe('file:///etc/passwd', { location: 'xml:/foo/xi:include/@href' })?.detail, 'xinclude');
    assert.equal(detectXxe('http://example.com/a.xsd', { location: 'xml:/x/xs:include/@schemaLocation' })?.detail, 'schema-include');
    assert.equal(detectXxe('urn:a http://example.com/a.xsd', { location: 'xml:/x/@xsi:schemaLocation' }), undefined);
  });

  it('passes ordinary XML and HTML', () => {
    for (const value of [
      '<!DOCTYPE html><html><body>hi</body></html>',
      '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">',
      '<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body/></soap:Envelope>',
      '<!DOCTYPE svg [<!ENTITY ns_svg "http://www.w3.org/2000/svg">]><svg xmlns="&ns_svg;"/>',
      '<x xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="urn:a http://example.com/a.xsd"/>',
      'a < b and c > d',
    ]) {
      assert.equal(detectXxe(value, at), undefined, value);
    }
  });
});
