import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TcpConnection } from '../tcp/connection.js';
import type { TcpState } from '../tcp/state.js';
import { seqAdd } from '../tcp/seq.js';
import { ipv4 } from '../wire/ipv4-addr.js';
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, formatTcpFlags } from '../wire/tcp-segment.js';
import { PEER, pair, scripted } from './tcp-peer.test-util.js';

function track(
  host: { tcp: { observe(c: TcpConnection, fn: (ev: string) => void): void } },
  c: TcpConnection,
) {
  const states: TcpState[] = [c.state];
  const errors: string[] = [];
  host.tcp.observe(c, (ev, errno?: unknown) => {
    if (ev === 'state' && states[states.length - 1] !== c.state) states.push(c.state);
    if (ev === 'error') errors.push(String(errno));
  });
  return { states, errors };
}

test('active close walks FIN-WAIT-1, FIN-WAIT-2, TIME-WAIT for 60 s; passive close CLOSE-WAIT, LAST-ACK', () => {
  const { sim, a, b } = pair(1);
  let server: TcpConnection | null = null;
  const l = b.tcp.listen(0, 80, 8, () => (server = l.accept()));
  const c = a.tcp.connect(ipv4('10.0.0.2'), 80);
  const ct = track(a, c);
  sim.runFor(100_000);
  assert.equal(c.state, 'ESTABLISHED');
  const s = server as unknown as TcpConnection;
  const st = track(b, s);
  c.close(sim.now());
  sim.runFor(100_000);
  assert.equal(s.state, 'CLOSE-WAIT', 'the server has the FIN and waits for its application');
  assert.equal(c.state, 'FIN-WAIT-2');
  s.close(sim.now());
  sim.runFor(100_000);
  assert.equal(c.state, 'TIME-WAIT');
  const twStart = sim.now();
  sim.run();
  assert.deepEqual(ct.states, ['SYN-SENT', 'ESTABLISHED', 'FIN-WAIT-1', 'FIN-WAIT-2', 'TIME-WAIT', 'CLOSED']);
  assert.deepEqual(st.states, ['ESTABLISHED', 'CLOSE-WAIT', 'LAST-ACK', 'CLOSED']);
  assert.ok(sim.now() - twStart >= 59.9e6 && sim.now() - twStart <= 60.1e6, 'TIME-WAIT lasts 2MSL = 60 s');
  assert.equal(a.counters.TcpExt.TW, 1);
});

test('simultaneous close goes through CLOSING; simultaneous open through SYN-RECEIVED', () => {
  const { sim, a, b } = pair(2);
  let server: TcpConnection | null = null;
  const l = b.tcp.listen(0, 80, 8, () => (server = l.accept()));
  const c = a.tcp.connect(ipv4('10.0.0.2'), 80);
  sim.runFor(100_000);
  const s = server as unknown as TcpConnection;
  const ct = track(a, c);
  const st = track(b, s);
  c.close(sim.now());
  s.close(sim.now());
  sim.run();
  assert.deepEqual(ct.states, ['ESTABLISHED', 'FIN-WAIT-1', 'CLOSING', 'TIME-WAIT', 'CLOSED']);
  assert.deepEqual(st.states, ['ESTABLISHED', 'FIN-WAIT-1', 'CLOSING', 'TIME-WAIT', 'CLOSED']);

  // Simultaneous open: both sides connect to each other's port at once (RFC 9293 figure 7).
  const p = pair(3);
  const x = p.a.tcp.connect(ipv4('10.0.0.2'), 5000, { localPort: 6000 });
  const y = p.b.tcp.connect(ipv4('10.0.0.1'), 6000, { localPort: 5000 });
  const xt = track(p.a, x);
  const yt = track(p.b, y);
  p.sim.runFor(1_000_000);
  assert.deepEqual(xt.states, ['SYN-SENT', 'SYN-RECEIVED', 'ESTABLISHED']);
  assert.deepEqual(yt.states, ['SYN-SENT', 'SYN-RECEIVED', 'ESTABLISHED']);
  const got = new Uint8Array(10);
  x.send(Uint8Array.of(1, 2, 3), p.sim.now());
  p.sim.runFor(1_000_000);
  assert.equal(y.readInto(got, p.sim.now()), 3);
});

test('half-close: the side that shut down writing keeps reading', () => {
  const { sim, a, b } = pair(4);
  let server: TcpConnection | null = null;
  const l = b.tcp.listen(0, 80, 8, () => (server = l.accept()));
  const c = a.tcp.connect(ipv4('10.0.0.2'), 80);
  sim.runFor(100_000);
  const s = server as unknown as TcpConnection;
  c.shutdownWrite(sim.now());
  sim.runFor(100_000);
  assert.equal(c.state, 'FIN-WAIT-2');
  assert.ok(s.eof);
  s.send(new Uint8Array(5000).fill(9), sim.now());
  sim.runFor(1_000_000);
  const buf = new Uint8Array(10000);
  assert.equal(c.readInto(buf, sim.now()), 5000);
  assert.equal(c.state, 'FIN-WAIT-2');
});

test('RST: connection refused on a closed port, reset by peer on abort', () => {
  const { sim, a, b } = pair(5);
  const c = a.tcp.connect(ipv4('10.0.0.2'), 81);
  const t = track(a, c);
  sim.run();
  assert.deepEqual(t.errors, ['ECONNREFUSED']);
  assert.equal(c.state, 'CLOSED');
  assert.equal(a.counters.Tcp.AttemptFails, 1);

  let server: TcpConnection | null = null;
  const l = b.tcp.listen(0, 80, 8, () => (server = l.accept()));
  const d = a.tcp.connect(ipv4('10.0.0.2'), 80);
  sim.runFor(100_000);
  const st = track(b, server as unknown as TcpConnection);
  d.abort(sim.now());
  sim.runFor(100_000);
  assert.deepEqual(st.errors, ['ECONNRESET']);
  assert.equal(b.counters.Tcp.EstabResets, 1);
  assert.equal(b.tcp.connections.size, 0);
});

test('closing with unread data sends RST (TCPAbortOnClose), as Linux does', () => {
  const { sim, a, b } = pair(6);
  let server: TcpConnection | null = null;
  const l = b.tcp.listen(0, 80, 8, () => (server = l.accept()));
  const c = a.tcp.connect(ipv4('10.0.0.2'), 80);
  sim.runFor(100_000);
  const ct = track(a, c);
  c.send(new Uint8Array(100), sim.now());
  sim.runFor(100_000);
  (server as unknown as TcpConnection).close(sim.now());
  sim.runFor(100_000);
  assert.equal(b.counters.TcpExt.TCPAbortOnClose, 1);
  assert.deepEqual(ct.errors, ['ECONNRESET']);
});

test('SYN retransmissions back off 1, 2, 4, 8, 16, 32 s and connect() fails with ETIMEDOUT at 127 s', () => {
  const { sim, host, wire } = scripted(7);
  const c = host.tcp.connect(PEER, 80);
  const t = track(host, c);
  sim.run();
  const syns = wire.times.filter((_, i) => (wire.sent[i]?.flags ?? 0) === TCP_SYN);
  assert.deepEqual(
    syns.map((x) => x / 1e6),
    [0, 1, 3, 7, 15, 31, 63],
  );
  assert.equal(sim.now(), 127e6);
  assert.deepEqual(t.errors, ['ETIMEDOUT']);
});

test('why three-way: an old duplicate SYN does not open a connection (RFC 9293 figure 8)', () => {
  const { sim, host, wire, inject } = scripted(8);
  host.tcp.listen(0, 80, 8);
  // An old SYN from an earlier incarnation arrives; the server answers it.
  inject({ flags: TCP_SYN, seq: 90, mss: 1460 });
  const synAck = wire.sent.at(-1);
  assert.equal(synAck?.flags, TCP_SYN | TCP_ACK);
  assert.equal(synAck?.ack, 91);
  // The client, which never sent seq 90, rejects the SYN-ACK with a RST carrying that ACK as seq.
  inject({ flags: TCP_RST, seq: 91 });
  assert.equal(host.tcp.listeners.get(80)?.[0]?.requests.size, 0, 'the half-open request is gone');
  // Counted as Linux's tcp_check_req counts a reset request: AttemptFails and EmbryonicRsts.
  assert.equal(host.counters.TcpExt.EmbryonicRsts, 1);
  assert.equal(host.counters.Tcp.AttemptFails, 1);
  // Its real SYN then opens a connection normally.
  inject({ flags: TCP_SYN, seq: 1000, mss: 1460 });
  const sa = wire.sent.at(-1);
  inject({ flags: TCP_ACK, seq: 1001, ack: seqAdd(sa?.seq ?? 0, 1) });
  sim.runFor(1000);
  assert.equal(host.tcp.connections.size, 1);
  assert.equal([...host.tcp.connections.values()][0]?.irs, 1000);
});

test('why 2MSL: a lost final ACK is recovered because the closer waits in TIME-WAIT', () => {
  const { sim, a, b, l } = pair(9);
  let server: TcpConnection | null = null;
  const lst = b.tcp.listen(0, 80, 8, () => (server = lst.accept()));
  const c = a.tcp.connect(ipv4('10.0.0.2'), 80);
  sim.runFor(100_000);
  const s = server as unknown as TcpConnection;
  c.close(sim.now());
  sim.runFor(100_000);
  // Drop the client's next segment: the last ACK of the four-way close.
  l.ab.dropNth(l.ab.stats.sent + 1);
  s.close(sim.now());
  sim.runFor(100_000);
  assert.equal(c.state, 'TIME-WAIT');
  assert.equal(s.state, 'LAST-ACK', 'the server never got the last ACK');
  sim.runFor(2_000_000);
  // The server retransmitted its FIN; the client, still in TIME-WAIT, acknowledged it again.
  assert.equal(s.state, 'CLOSED');
  assert.equal(b.counters.Tcp.RetransSegs, 1);
  sim.run();
  assert.equal(c.state, 'CLOSED');
  assert.equal(a.tcp.connections.size + b.tcp.connections.size, 0);
});

test('keepalive finds a crashed peer after 7200 s + 9 × 75 s (the seed 1.4.3)', () => {
  const { sim, a, b, l } = pair(10);
  let server: TcpConnection | null = null;
  const lst = b.tcp.listen(0, 80, 8, () => (server = lst.accept()));
  const c = a.tcp.connect(ipv4('10.0.0.2'), 80);
  sim.runFor(100_000);
  const s = server as unknown as TcpConnection;
  const t = track(b, s);
  s.setKeepAlive(true, sim.now());
  const start = sim.now();
  // The client crashes: its host vanishes from the network.
  l.setDown(true);
  sim.run();
  assert.deepEqual(t.errors, ['ETIMEDOUT']);
  const elapsed = (sim.now() - start) / 1e6;
  assert.ok(Math.abs(elapsed - (7200 + 9 * 75)) < 1, `gave up after ${elapsed} s`);
  assert.equal(b.counters.TcpExt.TCPKeepAlive, 9, 'one count per probe sent, none for giving up');
  // Linux's tcp_keepalive_timer resets the connection when it gives up (tcp_send_active_reset).
  assert.equal(b.counters.Tcp.OutRsts, 1);
  assert.equal(b.counters.TcpExt.TCPAbortOnTimeout, 1);
  void c;
});

test('RFC 5961: an in-window RST or SYN gets a challenge ACK, not a reset', () => {
  const { sim, host, wire, inject } = scripted(11);
  host.tcp.listen(0, 80, 8);
  inject({ flags: TCP_SYN, seq: 1000, mss: 1460 });
  const sa = wire.sent.at(-1);
  const iss = sa?.seq ?? 0;
  inject({ flags: TCP_ACK, seq: 1001, ack: seqAdd(iss, 1) });
  const conn = [...host.tcp.connections.values()][0];
  assert.equal(conn?.state, 'ESTABLISHED');
  const before = wire.sent.length;
  inject({ flags: TCP_RST, seq: 1001 + 100 });
  assert.equal(conn?.state, 'ESTABLISHED', 'not reset by an inexact RST');
  const ch = wire.sent.at(-1);
  assert.equal(wire.sent.length, before + 1);
  assert.deepEqual([formatTcpFlags(ch?.flags ?? 0), ch?.ack], ['.', 1001]);
  sim.runFor(1_000_000);
  inject({ flags: TCP_SYN, seq: 5000 });
  assert.equal(conn?.state, 'ESTABLISHED', 'not reset by a SYN');
  assert.equal(host.counters.TcpExt.TCPChallengeACK, 2);
  assert.equal(host.counters.TcpExt.TCPSYNChallenge, 1);
  // The exact RST does reset.
  inject({ flags: TCP_RST, seq: 1001 });
  assert.equal(conn?.state, 'CLOSED');
});

test('sequence numbers cross 2^32 on purpose: data around the wrap arrives intact', () => {
  const { sim, host, wire, inject } = scripted(12);
  host.tcp.listen(0, 80, 8);
  const irs = 0xffffff00;
  inject({ flags: TCP_SYN, seq: irs, mss: 1000 });
  const iss = wire.sent.at(-1)?.seq ?? 0;
  inject({ flags: TCP_ACK, seq: irs + 1, ack: seqAdd(iss, 1) });
  const conn = [...host.tcp.connections.values()][0] as TcpConnection;
  let seq = seqAdd(irs, 1);
  for (let i = 0; i < 5; i++) {
    inject({ flags: TCP_ACK, seq, ack: seqAdd(iss, 1), data: 100 });
    seq = seqAdd(seq, 100);
  }
  sim.runFor(1_000_000);
  assert.ok(seq < 0x1000, 'the stream wrapped past zero');
  assert.equal(conn.readableBytes, 500);
  assert.equal(wire.sent.at(-1)?.ack, seq);
  // A FIN after the wrap closes the direction.
  inject({ flags: TCP_ACK | TCP_FIN, seq, ack: seqAdd(iss, 1) });
  assert.equal(conn.state, 'CLOSE-WAIT');
});

test('ISNs: increase with time on one 4-tuple; unrelated across 4-tuples at one instant', () => {
  const { host } = scripted(13);
  const t = { localAddr: 1, localPort: 2, remoteAddr: 3, remotePort: 4 };
  const a = host.tcp.isn(t, 0);
  const b = host.tcp.isn(t, 1_000_000);
  assert.equal((b - a) >>> 0, 250_000, 'M ticks every 4 µs');
  const seen = new Set<number>();
  const buckets = new Array(16).fill(0);
  for (let p = 0; p < 4096; p++) {
    const isn = host.tcp.isn({ ...t, remotePort: 1024 + p }, 0);
    seen.add(isn);
    buckets[isn >>> 28]++;
  }
  assert.equal(seen.size, 4096, 'no repeats');
  for (const n of buckets) assert.ok(n > 256 * 0.7 && n < 256 * 1.3, `spread evenly: ${buckets.join(',')}`);
});

function establishScripted(seed: number, settings: Record<string, number> = {}) {
  const s = scripted(seed, settings);
  s.host.tcp.listen(0, 80, 8);
  s.inject({ flags: TCP_SYN, seq: 1000, mss: 1460 });
  const iss = s.wire.sent.at(-1)?.seq ?? 0;
  s.inject({ flags: TCP_ACK, seq: 1001, ack: seqAdd(iss, 1) });
  const conn = [...s.host.tcp.connections.values()][0] as TcpConnection;
  return { ...s, conn, iss };
}

test('FIN-WAIT-1 straight to TIME-WAIT when the peer acknowledges our FIN with its own', () => {
  const { sim, inject, conn, iss } = establishScripted(14);
  conn.close(sim.now());
  assert.equal(conn.state, 'FIN-WAIT-1');
  inject({ flags: TCP_ACK | TCP_FIN, seq: 1001, ack: seqAdd(iss, 2) });
  assert.equal(conn.state, 'TIME-WAIT');
});

test('an orphan in FIN-WAIT-2 gives up after tcp_fin_timeout', () => {
  const { sim, host, inject, conn, iss } = establishScripted(15, { tcp_fin_timeout: 30 });
  conn.close(sim.now());
  inject({ flags: TCP_ACK, seq: 1001, ack: seqAdd(iss, 2) });
  assert.equal(conn.state, 'FIN-WAIT-2');
  const t0 = sim.now();
  sim.run();
  assert.equal(conn.state, 'CLOSED');
  assert.equal(sim.now() - t0, 30e6);
  assert.equal(host.tcp.connections.size, 0);
});

test('a new SYN with a higher sequence number reuses a TIME-WAIT 4-tuple', () => {
  const { sim, host, wire, inject, conn, iss } = establishScripted(16, { tcp_timestamps: 0 });
  conn.close(sim.now());
  inject({ flags: TCP_ACK | TCP_FIN, seq: 1001, ack: seqAdd(iss, 2) });
  assert.equal(conn.state, 'TIME-WAIT');
  inject({ flags: TCP_SYN, seq: 500 }); // older: absorbed by TIME-WAIT (answered with an ACK)
  assert.equal(wire.sent.at(-1)?.flags, TCP_ACK);
  inject({ flags: TCP_SYN, seq: 900_000, mss: 1460 });
  assert.equal(wire.sent.at(-1)?.flags, TCP_SYN | TCP_ACK, 'the listener answers the new SYN');
  assert.equal(host.counters.TcpExt.TWRecycled, 1);
});

test('tcp_challenge_ack_limit caps challenge ACKs host-wide per second', () => {
  const { sim, host, inject } = establishScripted(17, {
    tcp_challenge_ack_limit: 1,
    tcp_invalid_ratelimit: 0,
  });
  for (let i = 0; i < 5; i++) inject({ flags: TCP_RST, seq: 1100 + i });
  assert.equal(host.counters.TcpExt.TCPChallengeACK, 1);
  sim.runFor(1_000_000);
  inject({ flags: TCP_RST, seq: 1200 });
  assert.equal(host.counters.TcpExt.TCPChallengeACK, 2);
});

test('CLOSE in SYN-SENT goes to CLOSED; CLOSE in SYN-RECEIVED sends FIN and enters FIN-WAIT-1', () => {
  const { sim, host, wire } = scripted(18);
  const c = host.tcp.connect(PEER, 80);
  const t = track(host, c);
  c.close(sim.now());
  assert.deepEqual(t.states, ['SYN-SENT', 'CLOSED']);
  assert.equal(host.tcp.connections.size, 0);
  void wire;

  const p = pair(19);
  const x = p.a.tcp.connect(ipv4('10.0.0.2'), 5000, { localPort: 6000 });
  const y = p.b.tcp.connect(ipv4('10.0.0.1'), 6000, { localPort: 5000 });
  const xt = track(p.a, x);
  const yt = track(p.b, y);
  p.sim.runUntil(() => x.state === 'SYN-RECEIVED', 1e6);
  x.close(p.sim.now());
  // x is an orphan (closed by its application) and the peer never closes, so x gives up after
  // tcp_fin_timeout in FIN-WAIT-2, as Linux does.
  assert.equal(x.state, 'FIN-WAIT-1');
  p.sim.run();
  assert.deepEqual(xt.states, ['SYN-SENT', 'SYN-RECEIVED', 'FIN-WAIT-1', 'FIN-WAIT-2', 'CLOSED']);
  assert.equal(yt.states.includes('CLOSE-WAIT'), true);
  y.close(p.sim.now());
  p.sim.run();
  assert.equal(p.a.tcp.connections.size + p.b.tcp.connections.size, 0);
});
