import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pair } from '../host/tcp-peer.test-util.js';
import { formatSs } from '../host/ss.js';
import { SocketError } from './errno.js';
import { Sockets } from './sockets.js';

/**
 * Connections through the sockets API over a link that loses, duplicates and reorders, closed by
 * either side first (some abortively), from a few client ports so that new SYNs meet TIME-WAIT
 * tuples, with a short TIME-WAIT so that records expire during the run. Everything observable
 * goes into the log: every packet (bytes and time), every call's result, ss, the counters.
 */
function run(retire: boolean, seed: number, timestamps: number): { log: string[]; records: number } {
  const { sim, a, b, l } = pair(
    seed,
    {
      both: { delayUs: 2000, jitterUs: 1500, loss: 0.08, duplicate: 0.1, reorder: 0.1, reorderDelayUs: 3000 },
    },
    { ip_local_port_range: [40000, 40005], tcp_tw_timeout: 2, tcp_timestamps: timestamps },
  );
  a.tcp.retireTimeWait = retire;
  b.tcp.retireTimeWait = retire;
  const log: string[] = [];
  l.observe((t, pkt, dir) => log.push(`${t} ${dir} ${Buffer.from(pkt).toString('hex')}`));
  const ca = new Sockets(a);
  const cb = new Sockets(b);
  const lfd = cb.socket(2, 1 | 0o4000);
  cb.bind(lfd, '0.0.0.0', 80);
  cb.listen(lfd, 128);
  let rs = seed;
  const rnd = (n: number): number => {
    rs = (Math.imul(rs, 1103515245) + 12345) >>> 0;
    return (rs >>> 8) % n;
  };
  let records = 0;
  const count = (): void => {
    let n = 0;
    for (const h of [a, b])
      for (const s of h.tcp.sockets()) if (s.constructor.name === 'TimeWaitConnection') n++;
    if (n > records) records = n;
  };
  const tryCall = (what: string, f: () => unknown): void => {
    try {
      log.push(`${sim.now()} ${what} ${JSON.stringify(f())}`);
    } catch (e) {
      log.push(`${sim.now()} ${what} ${e instanceof SocketError ? e.errno : String(e)}`);
    }
  };
  const open: { side: Sockets; fd: number }[] = [];
  const buf = new Uint8Array(2000);
  for (let k = 0; k < 300; k++) {
    sim.at(10_000 + k * 25_000, () => {
      for (;;) {
        let fd = -1;
        try {
          fd = cb.accept(lfd).fd;
        } catch {
          break;
        }
        open.push({ side: cb, fd });
      }
      const r = rnd(8);
      if (r < 3) {
        const fd = ca.socket(2, 1 | 0o4000);
        tryCall('connect', () => ca.connect(fd, '10.0.0.2', 80));
        open.push({ side: ca, fd });
      } else if (open.length > 0) {
        const i = rnd(open.length);
        const { side, fd } = open[i] as { side: Sockets; fd: number };
        if (r === 3) tryCall('write', () => side.write(fd, new Uint8Array(1 + rnd(3000)).fill(k & 255)));
        else if (r === 4) tryCall('read', () => side.read(fd, buf));
        else {
          open.splice(i, 1);
          if (r === 5)
            tryCall('linger', () => side.setsockopt(fd, 'SOL_SOCKET', 'SO_LINGER', { onoff: 1, linger: 0 }));
          tryCall('read', () => side.read(fd, buf));
          tryCall('close', () => side.close(fd));
        }
      }
      count();
      if (k % 25 === 0) log.push(formatSs(a), formatSs(b));
    });
  }
  sim.run({ until: 20_000_000 });
  log.push(formatSs(a), formatSs(b), JSON.stringify(a.counters), JSON.stringify(b.counters));
  return { log, records };
}

test('TIME-WAIT records change nothing on the wire, in any result, counter or ss line', () => {
  // Seeds whose runs include TIME-WAIT expiries, recycling SYNs, RSTs that kill TIME-WAIT and PAWS drops.
  for (const [seed, ts] of [
    [1, 1],
    [2, 1],
    [3, 0],
    [12, 0],
    [22, 1],
    [27, 0],
    [35, 1],
  ] as const) {
    const full = run(false, seed, ts);
    const rec = run(true, seed, ts);
    assert.equal(full.records, 0);
    assert.ok(rec.records >= 3, `seed ${seed}: at most ${rec.records} records at once`);
    assert.equal(rec.log.length, full.log.length, `seed ${seed}`);
    for (let i = 0; i < full.log.length; i++)
      assert.equal(rec.log[i], full.log[i], `seed ${seed}, log line ${i}`);
  }
});
