import type { Host } from '../host/host.js';
import { seqLe, seqSub } from '../tcp/seq.js';
import type { TcpConnection } from '../tcp/connection.js';

/** Gauges may go down; every other counter only grows. */
const GAUGES = new Set(['CurrEstab']);

const TIMED_STATES = new Set(['SYN-SENT', 'SYN-RECEIVED', 'FIN-WAIT-1', 'CLOSING', 'LAST-ACK', 'TIME-WAIT']);

/** Largest segment the receive buffer may take beyond its size (recv-buffer.ts: one segment). */
const ONE_SEGMENT = 65535;

/**
 * What must hold of a host after every packet, checked through its public state (the connection
 * table, each connection's TCB and tcp_info, the counters). Returns the broken rule or null.
 */
export class Invariants {
  /** Highest TCP buffer memory (tcp_mem accounting) plus fragments held, in bytes. */
  memoryHighWater = 0;
  connectionsHighWater = 0;

  constructor(private readonly host: Host) {}

  check(full = true): string | null {
    const h = this.host;
    const tcp = h.tcp;
    let estab = 0;
    let n = 0;
    for (const c of tcp.connections.values()) {
      n++;
      const e = this.connection(c, full);
      if (e) return `${c.state} ${c.tuple.localPort}->${c.tuple.remotePort}: ${e}`;
      if (c.state === 'ESTABLISHED' || c.state === 'CLOSE-WAIT') estab++;
    }
    if (n !== tcp.connections.size) return `table says ${tcp.connections.size} connections, holds ${n}`;
    if (h.counters.Tcp.CurrEstab !== estab)
      return `CurrEstab ${h.counters.Tcp.CurrEstab} but ${estab} established`;
    for (const list of tcp.listeners.values()) {
      for (const l of list) {
        if (l.requests.size > h.settings.tcp_max_syn_backlog) return `SYN queue ${l.requests.size}`;
        if (l.acceptQueue.length > l.backlog + 1) return `accept queue ${l.acceptQueue.length}`;
      }
    }
    if (tcp.memoryAllocated < 0) return `tcp_mem accounting below zero: ${tcp.memoryAllocated}`;
    const mem = tcp.memoryAllocated + h.fragmentMemory;
    if (mem > this.memoryHighWater) this.memoryHighWater = mem;
    if (n > this.connectionsHighWater) this.connectionsHighWater = n;
    if (h.fragmentMemory > h.settings.ipfrag_high_thresh) return `fragments hold ${h.fragmentMemory} bytes`;
    return this.counters();
  }

  private connection(c: TcpConnection, full: boolean): string | null {
    const t = this.host.tcp.connections.get(
      c.tuple.localAddr,
      c.tuple.localPort,
      c.tuple.remoteAddr,
      c.tuple.remotePort,
    );
    if (t !== c) return 'not found under its own 4-tuple';
    if (c.state === 'CLOSED') return 'CLOSED but still in the table';
    if (!seqLe(c.sndUna, c.sndNxt)) return `SND.UNA ${c.sndUna} after SND.NXT ${c.sndNxt}`;
    const flight = seqSub(c.sndNxt, c.sndUna);
    if (flight > c.sendBuf.length + 2) return `${flight} bytes in flight but ${c.sendBuf.length} queued`;
    if (c.sendBuf.length > c.sendBuf.capacity)
      return `send queue ${c.sendBuf.length} > ${c.sendBuf.capacity}`;
    const rb = c.recvBuf;
    if (rb.readable + rb.oooBytes > rb.capacity + ONE_SEGMENT)
      return `receive buffer holds ${rb.readable + rb.oooBytes}`;
    if (rb.ooo.length > rb.maxRanges) return `${rb.ooo.length} out-of-order ranges`;
    let prev = 0;
    for (const r of rb.ooo) {
      if (r.start <= prev || r.end <= r.start) return `bad ooo range ${r.start}-${r.end}`;
      prev = r.end;
    }
    if (!(c.cwnd >= 1) || !Number.isFinite(c.cwnd)) return `cwnd ${c.cwnd}`;
    if (!(c.ssthresh >= 1)) return `ssthresh ${c.ssthresh}`;
    if (c.sndWnd < 0 || !Number.isFinite(c.sndWnd)) return `snd.wnd ${c.sndWnd}`;
    if (c.sb.packetsOut < 0 || c.sb.sackedOut < 0 || c.sb.lostOut < 0 || c.sb.retransOut < 0)
      return 'negative scoreboard count';
    if (c.memCharged < 0) return `memory charged ${c.memCharged}`;
    // States that wait for the peer must have a timer that ends the wait; without one a silent peer
    // leaves the connection there forever.
    if (TIMED_STATES.has(c.state) && c.nextDeadline === Infinity) return 'no timer in a state that needs one';
    if (full) {
      const info = c.info(this.host.scheduler.now());
      for (const [k, v] of Object.entries(info)) if (!Number.isFinite(v) || v < 0) return `${k} = ${v}`;
    }
    return null;
  }

  /** Counter groups and their names, fixed at the first check; values kept in one array. */
  private groups: Record<string, number>[] = [];
  private names: string[][] = [];
  private values = new Float64Array(0);

  private counters(): string | null {
    const c = this.host.counters;
    if (this.groups.length === 0) {
      this.groups = [c.Ip, c.Icmp, c.Udp, c.Tcp, c.TcpExt] as unknown as Record<string, number>[];
      this.names = this.groups.map((g) => Object.keys(g).filter((k) => !GAUGES.has(k)));
      this.values = new Float64Array(this.names.reduce((n, x) => n + x.length, 0));
    }
    let i = 0;
    for (let g = 0; g < this.groups.length; g++) {
      const group = this.groups[g] as Record<string, number>;
      for (const k of this.names[g] as string[]) {
        const v = group[k] as number;
        if (v < (this.values[i] as number)) return `counter ${k} went down: ${this.values[i]} -> ${v}`;
        this.values[i++] = v;
      }
    }
    if (c.dropTotal < this.dropTotal) return 'drop total went down';
    this.dropTotal = c.dropTotal;
    return null;
  }

  private dropTotal = 0;
}
