import { SKB_TRUESIZE_OVERHEAD } from './skb-queue.js';
import type { TcpConnection } from './connection.js';

/**
 * Buffer auto-tuning as Linux does it (tcp_moderate_rcvbuf): the receive buffer grows to twice
 * what the application read in one round trip, plus room to grow, up to tcp_rmem[2]
 * (tcp_rcv_space_adjust, "dynamic right-sizing"); the send buffer grows with the congestion
 * window up to tcp_wmem[2] (tcp_sndbuf_expand). A buffer the user sized (SO_RCVBUF/SO_SNDBUF) is
 * left alone.
 */
export class AutoTune {
  /** Bytes the application read in the last measured round trip (Linux's rcvq_space.space). */
  space = 0;
  /** Start of the current measurement and the read count then. */
  time = -1;
  readAtStart = 0;
  /** Bytes the application has read in all. */
  totalRead = 0;
  /** The receiver's RTT estimate from timestamp echoes (Linux's rcv_rtt_est), µs. */
  rcvRttUs = 0;
  rcvLocked = false;
  sndLocked = false;
}

/** A data segment arrived carrying a timestamp echo: update the receiver's RTT estimate. */
export function rcvRttSample(c: TcpConnection, sampleUs: number): void {
  const t = c.autotune;
  if (sampleUs <= 0) return;
  t.rcvRttUs = t.rcvRttUs === 0 ? sampleUs : t.rcvRttUs + (sampleUs - t.rcvRttUs) / 8;
}

/** The application read `n` bytes (Linux's tcp_rcv_space_adjust). */
export function rcvSpaceAdjust(c: TcpConnection, n: number, now: number): void {
  const t = c.autotune;
  t.totalRead += n;
  if (t.time < 0) {
    t.time = now;
    t.readAtStart = t.totalRead - n;
    t.space = Math.max(t.space, c.rcvWnd, 10 * c.advMss);
    return;
  }
  const rtt = t.rcvRttUs || c.rtt.srttUs;
  if (rtt === 0 || now - t.time < rtt) return;
  const copied = t.totalRead - t.readAtStart;
  const s = c.env.settings;
  if (copied > t.space && s.tcp_moderate_rcvbuf && !t.rcvLocked) {
    let win = 2 * copied + 16 * c.advMss;
    const grow = (win * (copied - t.space)) / t.space;
    win += 2 * grow;
    const cap = Math.min(Math.floor(win), s.tcp_rmem[2]);
    if (cap > c.recvBuf.capacity) c.recvBuf.capacity = cap;
    t.space = copied;
  }
  t.time = now;
  t.readAtStart = t.totalRead;
}

/** cwnd grew: let the send buffer hold two windows of data (Linux's tcp_sndbuf_expand). */
export function sndBufExpand(c: TcpConnection): void {
  if (c.autotune.sndLocked) return;
  // sk_sndbuf is charged per skb at its truesize (skb-queue.ts): count each MSS with an skb's
  // overhead, as Linux's per_mss does.
  const want = Math.min(
    2 * Math.max(c.cwnd, c.env.settings.tcp_reordering + 1) * (c.sndMss + SKB_TRUESIZE_OVERHEAD),
    c.env.settings.tcp_wmem[2],
  );
  if (want > c.sendBuf.capacity) {
    c.sendBuf.capacity = want;
    c.emit('writable');
  }
}
