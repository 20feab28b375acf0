/**
 * The foundation's acceptance test: two ends and a router on lossy, reordering, corrupting links
 * exchange ICMP echo; both links are captured to pcap as the simulation runs; tshark reads the
 * captures and finds no malformed packets and checksum errors only on the packets the links
 * corrupted on purpose, which the receiving hosts counted and dropped. Same seed, same bytes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPcapFile } from '../link/pcap-file-node.js';
import { readPcap } from '../link/pcap.js';
import { PointToPointLink } from '../link/sim-link.js';
import { Simulator } from '../sim/simulator.js';
import { Host } from './host.js';

const IMPAIR = {
  delayUs: 2000,
  jitterUs: 500,
  loss: 0.05,
  reorder: 0.05,
  reorderDelayUs: 3000,
  duplicate: 0.02,
  corrupt: 0.05,
};

function run(seed: number, dir: string) {
  const sim = new Simulator({ seed });
  const mk = (name: string, settings = {}) =>
    new Host({
      name,
      scheduler: sim,
      random32: () => sim.rng.nextU32(),
      settings: { icmp_ratelimit: 0, ...settings },
    });
  const a = mk('a');
  const router = mk('router', { ip_forward: 1 });
  const b = mk('b');
  const l1 = new PointToPointLink(sim, { name: 'l1', both: IMPAIR });
  const l2 = new PointToPointLink(sim, { name: 'l2', both: IMPAIR });
  a.addInterface(l1.a, '10.0.1.2/24');
  router.addInterface(l1.b, '10.0.1.1/24');
  router.addInterface(l2.a, '10.0.2.1/24');
  b.addInterface(l2.b, '10.0.2.2/24');
  a.setDefaultGateway('10.0.1.1');
  b.setDefaultGateway('10.0.2.1');
  const files = [join(dir, `l1-${seed}.pcap`), join(dir, `l2-${seed}.pcap`)];
  const caps = files.map((f) => openPcapFile(f));
  l1.observe((t, p) => caps[0]?.writer.writePacket(t, p));
  l2.observe((t, p) => caps[1]?.writer.writePacket(t, p));
  let replies = 0;
  for (let i = 0; i < 200; i++) {
    sim.at(i * 10_000, () =>
      a.ping('10.0.2.2', { size: 100, timeoutMs: 500 }, (r) => (replies += r.ok ? 1 : 0)),
    );
    sim.at(i * 10_000 + 5000, () =>
      b.ping('10.0.1.2', { size: 64, timeoutMs: 500 }, (r) => (replies += r.ok ? 1 : 0)),
    );
  }
  sim.run();
  caps.forEach((c) => c.close());
  const dirs = [l1.ab, l1.ba, l2.ab, l2.ba];
  const corrupted = dirs.reduce((n, d) => n + d.stats.corrupted, 0);
  const corruptedBytes = dirs.flatMap((d) => d.stats.corruptions.map((c) => c.bytes));
  // A receiver catches corruption in the IP header (InHdrErrors) or, for a corrupted payload, in
  // the ICMP checksum (a router forwards such a packet; the end host drops it).
  const caught = (h: Host) => h.counters.Ip.InHdrErrors + h.counters.Icmp.InCsumErrors;
  return { files, replies, corrupted, corruptedBytes, hosts: [a, router, b], caught };
}

function tshark(file: string): { badFrames: number[]; malformed: number; total: number } {
  const r = spawnSync(
    'tshark',
    [
      '-r',
      file,
      '-o',
      'ip.check_checksum:TRUE',
      '-T',
      'fields',
      '-e',
      'frame.number',
      '-e',
      'ip.checksum.status',
      '-e',
      'icmp.checksum.status',
      '-e',
      '_ws.malformed',
      '-e',
      '_ws.expert.severity',
    ],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, `tshark failed: ${r.stderr}`);
  const badFrames: number[] = [];
  let malformed = 0;
  const lines = r.stdout.trim().split('\n').filter(Boolean);
  for (const l of lines) {
    const [frame, ipStatus, icmpStatus, mal] = l.split('\t');
    if (ipStatus === '0' || icmpStatus === '0') badFrames.push(Number(frame));
    if (mal) malformed++;
  }
  return { badFrames, malformed, total: lines.length };
}

test('three hosts over impaired links: captures, checksums, counters, determinism', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'synack-3h-'));
  try {
    const x = run(2024, dir);
    const y = run(2024, dir.replace(/$/, '')); // same seed, written to different files below
    assert.ok(x.replies > 250, `most pings are answered despite impairments (${x.replies}/400)`);
    assert.ok(x.corrupted > 0, 'the links corrupted some packets');
    // Every corrupted packet was caught by a checksum at the receiver and counted as a drop.
    const counted = x.hosts.reduce((n, h) => n + x.caught(h), 0);
    assert.equal(counted, x.corrupted, 'each corrupted packet is counted and dropped by its receiver');
    assert.deepEqual(readFileSync(x.files[0] as string), readFileSync(y.files[0] as string));
    const z = run(2025, dir);
    assert.notDeepEqual(readFileSync(x.files[0] as string), readFileSync(z.files[0] as string));

    if (spawnSync('tshark', ['-v']).status !== 0) {
      t.diagnostic('tshark not installed: the capture check is skipped (apt-get install tshark)');
      return;
    }
    const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
    const whole = new Set(x.corruptedBytes.map(hex));
    const payloads = new Set(x.corruptedBytes.map((b) => hex(b.subarray(20))));
    let bad = 0;
    let malformed = 0;
    let total = 0;
    for (const f of x.files) {
      const r = tshark(f);
      const recs = readPcap(readFileSync(f)).records;
      for (const n of r.badFrames) {
        const p = (recs[n - 1] as { packet: Uint8Array }).packet;
        // Either the corrupted packet itself, or the router's forwarded copy of one (new TTL).
        assert.ok(
          whole.has(hex(p)) || payloads.has(hex(p.subarray(20))),
          `frame ${n} of ${f} has a bad checksum but was not corrupted by the link`,
        );
      }
      bad += r.badFrames.length;
      malformed += r.malformed;
      total += r.total;
    }
    t.diagnostic(
      `seed 2024: ${x.replies}/400 pings answered, ${x.corrupted} packets corrupted and all ${counted} caught, ` +
        `tshark read ${total} packets, ${bad} with bad checksums (all corrupted on purpose), ${malformed} malformed`,
    );
    assert.ok(total > 500, `captured ${total} packets`);
    assert.ok(bad >= x.corrupted * 0.9, `tshark flags the corrupted packets (${bad} of ${x.corrupted})`);
    assert.ok(malformed <= bad, 'only corrupted packets may look malformed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
