import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SKB_TRUESIZE_OVERHEAD, SkbQueue, sizeGoal } from './skb-queue.js';

// The figures below were measured on Linux 6.18 (cubic, a tun device with TSO as packetdrill sets
// it up) by playing the remote side of Linux's packetdrill scripts blocking-write.pkt and
// tcp-info-sndbuf-limited.pkt and reading SO_MEMINFO's SK_MEMINFO_WMEM_QUEUED after each step.
// The queue is replayed here with the TSO packets the kernel sent at each step.

/** Linux's __sk_stream_is_writeable: free space at least half of what is queued. */
function writeable(q: SkbQueue, sndbuf: number): boolean {
  return sndbuf - q.wmemQueued >= q.wmemQueued >> 1 && q.wmemQueued < sndbuf;
}

/** A write as tcp_sendmsg_locked makes it: one skb at a time, `push` whenever the tail is full. */
function write(q: SkbQueue, n: number, goal: number, sndbuf: number, push: () => void): number {
  let done = 0;
  for (;;) {
    const k = q.append(n - done, goal, sndbuf);
    done += k;
    if (k === 0 || done >= n) return done;
    if (q.tailFull(goal)) push();
  }
}

test('size goal: half the largest peer window, whole MSS, at most the 64 KB GSO limit', () => {
  assert.equal(sizeGoal(1000, 10000), 5000);
  assert.equal(sizeGoal(1000, 50000), 25000);
  assert.equal(sizeGoal(1000, 10000 << 8), 65000);
  assert.equal(sizeGoal(1460, 0), 64240);
  assert.equal(sizeGoal(1000, 500), 1000);
});

test('an empty queue costs nothing; each skb costs its payload plus 832 bytes', () => {
  const q = new SkbQueue();
  assert.equal(q.wmemQueued, 0);
  q.append(100, 1000, 20000);
  assert.equal(q.wmemQueued, 100 + SKB_TRUESIZE_OVERHEAD);
  q.append(100, 1000, 20000); // into the same unsent skb
  assert.equal(q.count, 1);
  assert.equal(q.wmemQueued, 200 + 832);
});

test('blocking-write.pkt as Linux 6.18 queues it (SO_SNDBUF 21000, peer window 50000)', () => {
  const sndbuf = 42000;
  const goal = sizeGoal(1000, 50000);
  const q = new SkbQueue();
  let sent = 0;
  const cwndBytes = 10000;
  // cwnd 10: two 5-segment TSO packets go while the write fills its first skb.
  const push = () => {
    while (sent < cwndBytes) q.markSent((sent += 5000));
  };
  assert.equal(write(q, 61000, goal, sndbuf, push), 60000);
  assert.equal(q.wmemQueued, 63328); // measured
  // ACK 10001, then 10000-byte TSO packets to 30001.
  q.consume(10000);
  q.markSent(10000);
  q.markSent(20000);
  assert.equal(q.wmemQueued, 53328); // measured
  assert.equal(writeable(q, sndbuf), false);
  // ACK 30001, then 30001:40001 (tcp_grow_skb joins two skbs), 40001:50001, 50001:60001.
  q.consume(20000);
  q.markSent(10000);
  q.markSent(20000);
  q.markSent(30000);
  assert.equal(q.wmemQueued, 32496); // measured
  assert.equal(writeable(q, sndbuf), false);
  // ACK 36001 trims the head skb (tcp_trim_head): the writer wakes and queues its last 1000.
  q.consume(6000);
  assert.equal(writeable(q, sndbuf), true);
  assert.equal(
    write(q, 1000, goal, sndbuf, () => {}),
    1000,
  );
  assert.equal(q.wmemQueued, 28328); // measured
});

test('tcp-info-sndbuf-limited.pkt as Linux 6.18 queues it (SO_SNDBUF 10000, wscale 8)', () => {
  const sndbuf = 20000;
  const q = new SkbQueue();
  let written = 0; // bytes the write has queued
  let acked = 0;
  let sent = 0; // bytes sent, counted from SND.UNA
  let limit = 10000; // bytes cwnd lets be in flight
  let unit = 2000; // the TSO packet size the kernel used at this point
  /** Send TSO packets of `unit` bytes while cwnd and the queued data allow. */
  const send = (queued: number) => {
    while (sent < limit && sent < queued) q.markSent((sent = Math.min(sent + unit, limit, queued)));
  };
  /** The blocking write(150000), from where it stands, until it must wait for space. */
  const writeSome = (goal: number) => {
    let done = 0;
    for (;;) {
      const k = q.append(150000 - written - done, goal, sndbuf);
      done += k;
      if (k === 0 || written + done >= 150000) break;
      if (q.tailFull(goal)) send(written + done - acked);
    }
    written += done;
    return done;
  };
  const ack = (n: number, cwndBytes: number, tso: number) => {
    q.consume(n);
    acked += n;
    sent -= n;
    limit = cwndBytes;
    unit = tso;
    send(written - acked);
  };
  // The first flight: size goal 5000 (half the SYN-ACK's unscaled window of 10000).
  assert.equal(writeSome(sizeGoal(1000, 10000)), 15000); // measured
  assert.equal(q.wmemQueued, 20824); // measured
  // ACK 10001: cwnd 20; the kernel sends 4000 + 1000, then wakes the writer.
  ack(10000, 20000, 4000);
  assert.equal(q.wmemQueued, 6664); // measured
  assert.equal(writeable(q, sndbuf), true);
  // The window is now 10000 << 8: size goal 65000; the writer stops at 95000 (SND.NXT + goal).
  writeSome(sizeGoal(1000, 10000 << 8));
  assert.equal(written, 95000); // measured
  assert.equal(q.wmemQueued, 90824); // measured
  // ACK 30001: cwnd 40, 7000-byte TSO packets.
  ack(20000, 40000, 7000);
  assert.equal(q.wmemQueued, 70824); // measured
  assert.equal(writeable(q, sndbuf), false);
  // ACK 70001: cwnd 80; 15000 + 10000 go out; still not writeable: sndbuf-limited from here.
  ack(40000, 80000, 15000);
  assert.equal(q.wmemQueued, 26664); // measured
  assert.equal(writeable(q, sndbuf), false);
  // ACK 95001 frees everything: the writer queues its last 55000 in one skb and returns.
  ack(25000, 80000, 14000);
  assert.equal(writeable(q, sndbuf), true);
  assert.equal(writeSome(65000), 55000);
  assert.equal(written, 150000);
});
