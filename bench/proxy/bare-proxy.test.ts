import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { request } from 'undici';
import { freePort } from '../internal/loopback-port.js';
import { createUpstream } from '../internal/upstream-server.js';
import { createBareProxy } from './bare-proxy.js';

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe('bare proxy', { timeout: 20_000 }, async () => {
  const upstream = createUpstream('json');
  const upstreamPort = await listen(upstream);
  const proxy = createBareProxy(`http://127.0.0.1:${upstreamPort}`);
  const port = await listen(proxy);
  after(() => {
    proxy.closeAllConnections();
    proxy.close();
    upstream.closeAllConnections();
    upstream.close();
  });

  it('forwards a GET and returns the upstream answer', async () => {
    const answer = await request(`http://127.0.0.1:${port}/api/items?q=1`);
    assert.equal(answer.statusCode, 200);
    assert.deepEqual(await answer.body.json(), { ok: true, id: 123, name: 'bench' });
  });

  it('streams a request body through unchanged', async () => {
    const body = JSON.stringify({ status: 201, body: 'x'.repeat(70_000) });
    const answer = await request(`http://127.0.0.1:${port}/reflect`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(answer.statusCode, 201);
    assert.equal((await answer.body.text()).length, 70_000);
  });

  it('answers 502 when the upstream cannot be reached', async () => {
    const dead = createBareProxy(`http://127.0.0.1:${await freePort()}`);
    const deadPort = await listen(dead);
    try {
      const answer = await request(`http://127.0.0.1:${deadPort}/`);
      assert.equal(answer.statusCode, 502);
      await answer.body.dump();
    } finally {
      dead.closeAllConnections();
      dead.close();
    }
  });
});
