import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { quantile } from './paced-client.js';
import { wrkScript } from './wrk.js';
import { jsonBody, rawRequest, variedJsonBody, workloads } from './workloads.js';

describe('proxy benchmark workloads', () => {
  it('builds JSON bodies of exactly the requested size', () => {
    for (const size of [1024, 64 * 1024]) {
      const body = jsonBody(size);
      assert.equal(Buffer.byteLength(body), size);
      assert.ok(Array.isArray((JSON.parse(body) as { orders: unknown[] }).orders));
    }
  });

  it('builds varied JSON bodies of exactly the requested size that share almost no values', () => {
    const values = (body: string): Set<string> => {
      const found = new Set<string>();
      JSON.parse(body, (_key, value: unknown) => {
        if (typeof value === 'string' && value.length > 8) found.add(value);
        return value;
      });
      return found;
    };
    for (const size of [1024, 64 * 1024]) {
      const [a = '', b = ''] = [variedJsonBody(size, 1), variedJsonBody(size, 2)];
      assert.equal(Buffer.byteLength(a), size);
      assert.equal(variedJsonBody(size, 1), a);
      const first = values(a);
      const shared = [...values(b)].filter((value) => first.has(value));
      assert.ok(shared.length <= first.size / 20, `${shared.length} of ${first.size} values shared`);
    }
  });

  it('mixes exactly 5% attacks into the small GET', () => {
    const mix = workloads().mix.requests;
    assert.equal(mix.filter((request) => request.attack).length / mix.length, 0.05);
  });

  it('writes raw keep-alive requests with a correct Content-Length', () => {
    const raw = rawRequest(workloads().json1k.requests[0] ?? assert.fail('no request'), 'localhost');
    const [head = '', body = ''] = raw.split('\r\n\r\n');
    assert.match(head, /^POST \/api\/orders HTTP\/1\.1\r\nHost: localhost\r\n/);
    assert.match(head, /\r\nContent-Length: 1024$/);
    assert.equal(Buffer.byteLength(body), 1024);
    assert.doesNotMatch(head, /Connection: close/i);
  });

  it('escapes requests into Lua string literals wrk can load', () => {
    const script = wrkScript(['GET /?q="a\\b" HTTP/1.1\r\n\r\n', 'é']);
    assert.ok(script.includes('"GET /?q=\\"a\\\\b\\" HTTP/1.1\\013\\010\\013\\010"'));
    assert.ok(script.includes('"\\195\\169"'));
  });

  it('takes nearest-rank quantiles', () => {
    const sorted = Float64Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(quantile(sorted, 0.5), 50);
    assert.equal(quantile(sorted, 0.99), 99);
    assert.ok(Number.isNaN(quantile(new Float64Array(0), 0.5)));
  });
});
