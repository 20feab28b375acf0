import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Network } from '../network.js';
import { createNet } from './index.js';

const TOTAL = 8 << 20;

/** The byte at stream offset i. */
const at = (i: number): number => (i * 7 + (i >>> 16)) & 255;

/**
 * Large segments reach the reader as the packets' own memory (RecvBuffer.keep): each Buffer is the
 * reader's, so writing over it changes nothing the stack still uses, with loss (segments held out
 * of order, then copied into the ring) as without.
 */
for (const loss of [0, 0.01]) {
  test(`received Buffers are the reader's to change: 8 MiB over an MTU-65535 link, loss ${loss}`, async () => {
    const net = new Network({ seed: 7 });
    const a = net.host('client');
    const b = net.host('server');
    net.link(a, b, {
      a: '10.0.0.1/24',
      b: '10.0.0.2/24',
      delayMs: 1,
      loss,
      mtu: 65535,
      checksumOffload: true,
    });
    const client = createNet(a, net.sockets(a));
    const server = createNet(b, net.sockets(b));
    let got = 0;
    let views = 0;
    const done = new Promise<void>((resolve, reject) => {
      const srv = server.createServer((s) => {
        s.on('data', (d: Buffer) => {
          for (let i = 0; i < d.length; i++) {
            if (d[i] !== at(got + i)) return reject(new Error(`byte ${got + i} differs`));
          }
          got += d.length;
          // A packet's payload starts after its headers; a copied read starts its own memory.
          if (d.byteOffset > 0 && d.length >= 32 * 1024) views++;
          d.fill(0xee);
        });
        s.on('end', () => {
          srv.close();
          resolve();
        });
        s.on('error', reject);
      });
      srv.listen(9, '0.0.0.0');
    });
    const c = client.connect(9, '10.0.0.2');
    const chunk = Buffer.alloc(64 * 1024);
    for (let off = 0; off < TOTAL; off += chunk.length) {
      for (let i = 0; i < chunk.length; i++) chunk[i] = at(off + i);
      // The writer reuses its chunk once the write is done, as Node programs may.
      await new Promise<void>((resolve, reject) => c.write(chunk, (e) => (e ? reject(e) : resolve())));
    }
    c.end();
    await done;
    assert.equal(got, TOTAL);
    assert.ok(views > 0, 'some reads were handed the segment itself');
    net.close();
  });
}
