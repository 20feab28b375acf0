import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cwndChart } from './cwnd-chart.js';
import { bytesInFlight } from './in-flight.js';
import { ladderDiagram } from './ladder.js';
import type { SegmentRecord } from './model.js';
import { renderReport } from './report.js';
import { timeSequenceGraph } from './time-sequence.js';

const A = 'client 10.0.0.1:40000';
const B = 'server 10.0.0.2:80';

function seg(
  timeUs: number,
  fromA: boolean,
  flags: string,
  relSeq: number,
  relAck: number,
  len = 0,
): SegmentRecord {
  return {
    timeUs,
    arriveUs: timeUs + 10_000,
    from: fromA ? A : B,
    to: fromA ? B : A,
    flags,
    seq: relSeq + 1000,
    ack: relAck + 5000,
    len,
    win: 65535,
    relSeq,
    relAck,
  };
}

const handshake = [seg(0, true, 'S', 0, 0), seg(10_000, false, 'S.', 0, 1), seg(20_000, true, '.', 1, 1)];

test('the ladder labels each arrow as the seed does and escapes what it prints', () => {
  const svg = ladderDiagram(handshake, {
    left: A,
    right: '<server> 10.0.0.2:80',
    states: [{ timeUs: 0, endpoint: 'client', state: 'SYN-SENT' }],
  });
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.ok(svg.endsWith('</svg>'));
  assert.doesNotMatch(svg, /<server>/, 'text is escaped');
  const plain = ladderDiagram(handshake, { left: A, right: B });
  for (const label of ['SYN seq=0 win=65535', 'SYN,ACK seq=0 ack=1 win=65535', 'ACK seq=1 ack=1 win=65535'])
    assert.ok(plain.includes(label), label);
  assert.equal((plain.match(/class="segment"/g) ?? []).length, 3);
});

test('a long connection keeps its start and its close, and says how many segments were left out', () => {
  const data = Array.from({ length: 500 }, (_, i) => seg(30_000 + i * 100, true, '.', 1 + i * 1000, 1, 1000));
  const close = [seg(200_000, true, 'F.', 500_001, 1), seg(210_000, false, 'F.', 1, 500_002)];
  const svg = ladderDiagram([...handshake, ...data, ...close], {
    left: A,
    right: B,
    maxSegments: 5,
    tailSegments: 2,
  });
  assert.equal((svg.match(/class="segment"/g) ?? []).length, 7);
  assert.match(svg, /… 498 segments not shown/);
  assert.ok(svg.includes('FIN,ACK seq=500001 ack=1'));
});

test('a time-sequence graph of a big run is decimated to the pixels it has', () => {
  const n = 200_000;
  const data = Array.from({ length: n }, (_, i) => seg(i * 10, true, '.', 1 + i * 1448, 1, 1448));
  const acks = Array.from({ length: n / 2 }, (_, i) => seg(i * 20 + 5, false, '.', 1, 1 + i * 2896));
  const all = [...data, ...acks];
  const svg = timeSequenceGraph(all, { sender: A });
  assert.match(svg, /class="data decimated"/);
  assert.ok(svg.length < 400_000, `small: ${svg.length} bytes`);
  const small = timeSequenceGraph(all.slice(0, 300), { sender: A });
  assert.doesNotMatch(small, /decimated/);
});

test('bytes in flight rise with each send and fall with each ACK', () => {
  const r = [
    ...handshake,
    seg(30_000, true, '.', 1, 1, 1000),
    seg(30_001, true, '.', 1001, 1, 1000),
    { ...seg(30_002, false, '.', 1, 1001), arriveUs: 40_000 },
  ];
  const f = bytesInFlight(r, A).filter((x) => x.timeUs >= 30_000);
  assert.deepEqual(
    f.map((x) => x.bytes),
    [1000, 2000, 1000],
  );
});

test('the cwnd chart shades recovery and skips an unset ssthresh', () => {
  const svg = cwndChart([
    { timeUs: 0, cwnd: 10, ssthresh: 2147483647, caState: 'Open' },
    { timeUs: 100_000, cwnd: 40, ssthresh: 2147483647, caState: 'Open' },
    { timeUs: 150_000, cwnd: 20, ssthresh: 20, caState: 'Recovery' },
    { timeUs: 250_000, cwnd: 20, ssthresh: 20, caState: 'Open' },
  ]);
  assert.match(svg, /fill="#fde7c7"/);
  assert.match(svg, /Recovery/);
  assert.doesNotMatch(svg, /2147483647/);
});

test('the report is one self-contained page', () => {
  const html = renderReport({
    title: 'a & b',
    sections: [{ title: 's', svg: ladderDiagram(handshake, { left: A, right: B }) }],
    textBlocks: [{ title: 'trace', pre: '<tcpdump>' }],
  });
  assert.match(html, /^<!DOCTYPE html>/);
  assert.ok(html.includes('a &amp; b') && html.includes('&lt;tcpdump&gt;'));
  assert.doesNotMatch(html, /<script|<link|src=|url\(/);
});
