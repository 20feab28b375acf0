import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TcpConnection } from '../tcp/connection.js';
import { seqAdd } from '../tcp/seq.js';
import { TCP_ACK, TCP_SYN } from '../wire/tcp-segment.js';
import { FuzzWorld, type Slot } from './world.js';

/** Engine bugs the fuzzer and the soak found, each pinned by a test. */

function established(seed: number) {
  const w = new FuzzWorld(seed).setUp();
  const s = w.slots.find((x) => x.want === 'ESTABLISHED') as Slot;
  const c = s.conn as TcpConnection;
  // The peer fills the hole it left, so its data is all in order and read.
  w.send(s, w.segment(s, TCP_ACK, { data: 700 }));
  s.peerNxt = seqAdd(s.peerNxt, 300);
  c.readInto(new Uint8Array(65536), w.sim.now());
  assert.equal(c.recvBuf.ooo.length + c.recvBuf.readable, 0);
  // Then it acknowledges everything and closes its window.
  const zero = () => {
    const seg = w.segment(s, TCP_ACK);
    seg.window = 0;
    w.send(s, seg);
  };
  zero();
  c.send(new Uint8Array(3000).fill(9), w.sim.now());
  return { w, s, c, zero };
}

test('an orphan facing a zero window from a silent peer gives up after tcp_orphan_retries probes (it used to probe forever)', () => {
  const { w, c } = established(1);
  c.close(w.sim.now());
  assert.equal(c.state, 'ESTABLISHED'); // the FIN waits behind the data
  w.sim.runFor(3600e6);
  assert.equal(c.state, 'CLOSED');
  assert.equal(c.errno, 'ETIMEDOUT');
  assert.equal(c.zeroWindowProbes, 8); // tcp_orphan_retries 0 means 8, as Linux reads it
});

test('a connection whose peer answers the probes stays open however long the window stays shut (RFC 1122 4.2.2.17)', () => {
  const { w, c, zero } = established(2);
  for (let i = 0; i < 360; i++) {
    w.sim.runFor(10e6);
    zero();
  }
  assert.equal(c.state, 'ESTABLISHED');
  assert.ok(w.host.counters.TcpExt.TCPWinProbe > 20);
});

/** A SYN from the peer to the listener; returns the slot with the host's SYN-ACK seen. */
function synReceived(seed: number) {
  const w = new FuzzWorld(seed).setUp();
  const s = w.slots.find((x) => x.want === 'SYN-RECEIVED') as Slot;
  return { w, s };
}

test('a handshake-completing ACK with an old timestamp is dropped (PAWS) and the request kept; it used to leave a connection in SYN-RECEIVED with no timer', () => {
  const { w, s } = synReceived(3);
  const before = w.host.tcp.connections.size;
  const seg = w.segment(s, TCP_ACK);
  seg.tsVal = 1; // older than the SYN's
  w.send(s, seg);
  assert.equal(w.host.tcp.connections.size, before);
  assert.equal(w.listener.requests.size, 1);
  assert.equal(w.host.counters.drops.get('tcp-rfc7323-paws'), 1);
  // The right ACK still completes it.
  w.send(s, w.segment(s, TCP_ACK));
  assert.equal(w.host.tcp.connections.size, before + 1);
  assert.equal(w.listener.acceptQueue.at(-1)?.state, 'ESTABLISHED');
});

test("a SYN-ACK with the right numbers to a SYN-RECEIVED request resets it (Linux's embryonic reset), making no connection", () => {
  const { w, s } = synReceived(4);
  const before = w.host.tcp.connections.size;
  w.send(s, w.segment(s, TCP_SYN | TCP_ACK, { seq: s.peerNxt }));
  assert.equal(w.host.tcp.connections.size, before);
  assert.equal(w.listener.requests.size, 0);
  assert.equal(w.host.counters.TcpExt.EmbryonicRsts, 1);
  for (const c of w.host.tcp.connections.values())
    assert.ok(c.state !== 'SYN-RECEIVED' || c.nextDeadline !== Infinity);
});
