import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Network } from '../network.js';
import { createNet } from '../net/index.js';

test("Network({ clock: 'wall' }): hosts on an in-memory link in wall-clock time, used through net", async () => {
  const n = new Network({ clock: 'wall' });
  const a = n.host('a');
  const b = n.host('b');
  n.link(a, b, { a: '10.0.0.1/24', b: '10.0.0.2/24', mtu: 65535, checksumOffload: true });
  const server = createNet(b, n.sockets(b)).createServer((s) => s.pipe(s));
  server.listen(7, '10.0.0.2');
  await once(server, 'listening');
  const c = createNet(a, n.sockets(a)).connect(7, '10.0.0.2');
  await once(c, 'connect');
  const sent = Buffer.alloc(300_000, 7);
  for (let i = 0; i < sent.length; i++) sent[i] = (i * 31) & 255;
  const chunks: Buffer[] = [];
  let got = 0;
  const echoed = new Promise<void>((resolve) =>
    c.on('data', (d: Buffer) => {
      chunks.push(d);
      got += d.length;
      if (got >= sent.length) resolve();
    }),
  );
  c.write(sent);
  await echoed;
  assert.deepEqual(Buffer.concat(chunks), sent);
  // Virtual time follows the wall clock: it moved forward, and an idle timeout really fires.
  assert.ok(n.time > 0);
  c.setTimeout(5);
  await once(c, 'timeout');
  c.destroy();
  server.close();
  n.close();
});
