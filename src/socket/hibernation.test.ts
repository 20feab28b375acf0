import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pair } from '../host/tcp-peer.test-util.js';
import { formatSs } from '../host/ss.js';
import { SIOCINQ, SIOCOUTQ } from './constants.js';
import { SocketError } from './errno.js';
import { Sockets } from './sockets.js';

/**
 * Many connections through the sockets API over a lossy, jittery link, doing a random mix of
 * writes, partial reads, option changes, TCP_INFO, ioctls, idle gaps, shutdowns and closes.
 * Everything observable goes into the returned log: every packet on the wire (bytes and time),
 * every call's result, tcp_info, ss output, and the hosts' counters at the end.
 */
function run(hibernateAwake: number): { log: string[]; maxHibernated: number; wakes: number } {
  const { sim, a, b, l } = pair(7, { both: { delayUs: 3000, jitterUs: 400, loss: 0.02 } });
  a.tcp.hibernateAwake = hibernateAwake;
  b.tcp.hibernateAwake = hibernateAwake;
  const log: string[] = [];
  l.observe((t, pkt, dir) => log.push(`${t} ${dir} ${Buffer.from(pkt).toString('hex')}`));
  const ca = new Sockets(a);
  const cb = new Sockets(b);
  const lfd = cb.socket(2, 1 | 0o4000);
  cb.bind(lfd, '0.0.0.0', 80);
  cb.listen(lfd, 128);
  let seed = 12345;
  const rnd = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const pairs: { c: number; s: number; open: boolean }[] = [];
  const N = 24;
  let maxHibernated = 0;
  let wakes = 0;
  let lastCount = 0;
  const sample = (): void => {
    const h = a.tcp.hibernatedCount + b.tcp.hibernatedCount;
    if (h < lastCount) wakes += lastCount - h;
    lastCount = h;
    if (h > maxHibernated) maxHibernated = h;
  };
  const tryCall = (what: string, f: () => unknown): void => {
    try {
      log.push(`${sim.now()} ${what} ${JSON.stringify(f())}`);
    } catch (e) {
      log.push(`${sim.now()} ${what} ${e instanceof SocketError ? e.errno : String(e)}`);
    }
    sample();
  };
  for (let i = 0; i < N; i++) {
    sim.at(i * 1500, () => {
      const fd = ca.socket(2, 1 | 0o4000);
      tryCall('connect', () => ca.connect(fd, '10.0.0.2', 80));
      pairs.push({ c: fd, s: -1, open: true });
    });
  }
  const buf = new Uint8Array(3000);
  const step = (k: number): void => {
    for (;;) {
      let fd = -1;
      try {
        fd = cb.accept(lfd).fd;
      } catch {
        break;
      }
      const p = pairs.find((x) => x.s < 0);
      if (p) p.s = fd;
      log.push(`${sim.now()} accept ${fd}`);
    }
    sample();
    const p = pairs[rnd(Math.max(1, pairs.length))];
    if (p && p.s >= 0 && p.open) {
      const side = rnd(2) === 0 ? ca : cb;
      const fd = side === ca ? p.c : p.s;
      const peer = side === ca ? cb : ca;
      const pfd = side === ca ? p.s : p.c;
      switch (rnd(10)) {
        case 0:
        case 1:
        case 2:
          tryCall('write', () => side.write(fd, new Uint8Array(1 + rnd(5000)).fill(k & 255)));
          break;
        case 3:
        case 4:
          tryCall('read', () => peer.read(pfd, buf.subarray(0, 1 + rnd(3000))));
          break;
        case 5:
          tryCall('info', () => side.getsockopt(fd, 'IPPROTO_TCP', 'TCP_INFO'));
          break;
        case 6:
          tryCall('nodelay', () => side.setsockopt(fd, 'IPPROTO_TCP', 'TCP_NODELAY', rnd(2)));
          break;
        case 7:
          tryCall('ioctl', () => [side.ioctl(fd, SIOCINQ), side.ioctl(fd, SIOCOUTQ)]);
          break;
        case 8:
          if (k > 150) {
            p.open = false;
            tryCall('close', () => {
              side.close(fd);
              peer.close(pfd);
            });
          }
          break;
        default:
          tryCall('quickack', () => side.setsockopt(fd, 'IPPROTO_TCP', 'TCP_QUICKACK', 1));
      }
    }
    if (k % 40 === 0) log.push(formatSs(a, { info: true }), formatSs(b, { info: true }));
    sample();
  };
  // Bursts of activity with idle gaps between them (idle connections hibernate in the gaps).
  for (let k = 0; k < 220; k++) sim.at(40_000 + k * 7000 + Math.floor(k / 20) * 2_000_000, () => step(k));
  sim.run({ until: 60_000_000 });
  log.push(formatSs(a, { info: true }), formatSs(b, { info: true }));
  log.push(JSON.stringify(a.counters), JSON.stringify(b.counters));
  return { log, maxHibernated, wakes };
}

test('hibernation changes nothing on the wire or in any result, counter or ss line', () => {
  const off = run(-1);
  const eager = run(0);
  assert.equal(off.maxHibernated, 0);
  assert.ok(eager.maxHibernated >= 10, `hibernated at most ${eager.maxHibernated}`);
  assert.ok(eager.wakes >= 10, `woke ${eager.wakes}`);
  assert.equal(eager.log.length, off.log.length);
  for (let i = 0; i < off.log.length; i++) assert.equal(eager.log[i], off.log[i], `log line ${i}`);
});
