import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ipv4 } from '../wire/ipv4-addr.js';
import { buildUdpPacket } from '../wire/packet.js';
import { UdpDatagram } from '../wire/udp.js';
import { openPcapFile } from './pcap-file-node.js';
import { LINKTYPE_RAW, PcapWriter, readPcap } from './pcap.js';

function udp(n: number): Uint8Array {
  const d = new UdpDatagram();
  d.srcPort = 5000 + n;
  d.dstPort = 9;
  d.payload = new TextEncoder().encode(`packet ${n}`);
  return buildUdpPacket(ipv4('192.0.2.1'), ipv4('192.0.2.2'), d);
}

test('written packets read back with their times', () => {
  const chunks: Uint8Array[] = [];
  const w = new PcapWriter((c) => chunks.push(Uint8Array.from(c)));
  const pkts = [udp(1), udp(2), udp(3)];
  pkts.forEach((p, i) => w.writePacket(1_000_000 * i + 123, p));
  const all = new Uint8Array(Buffer.concat(chunks));
  const { linkType, records } = readPcap(all);
  assert.equal(linkType, LINKTYPE_RAW);
  assert.deepEqual(
    records.map((r) => r.timeUs),
    [123, 1_000_123, 2_000_123],
  );
  records.forEach((r, i) => assert.deepEqual(r.packet, pkts[i]));
});

test('tshark reads a synack capture without errors', (t) => {
  if (spawnSync('tshark', ['-v']).status !== 0) {
    t.skip('tshark not installed: apt-get install tshark to run this check');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'synack-pcap-'));
  try {
    const file = join(dir, 'x.pcap');
    const f = openPcapFile(file);
    for (let i = 0; i < 5; i++) f.writer.writePacket(i * 1000, udp(i));
    f.close();
    assert.equal(readPcap(readFileSync(file)).records.length, 5);
    const r = spawnSync(
      'tshark',
      [
        '-r',
        file,
        '-o',
        'udp.check_checksum:TRUE',
        '-T',
        'fields',
        '-e',
        'udp.checksum.status',
        '-e',
        '_ws.malformed',
      ],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 5);
    for (const l of lines) assert.equal(l.trim(), '1', `checksum status good: ${l}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
