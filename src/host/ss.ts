import { TcpConnection } from '../tcp/connection.js';
import { TcpListener } from '../tcp/listener.js';
import { TimeWaitConnection } from '../tcp/time-wait.js';
import { SS_STATE_NAME } from '../tcp/state.js';
import { formatIpv4 } from '../wire/ipv4-addr.js';
import type { Host } from './host.js';

export interface SsRow {
  state: string;
  recvQ: number;
  sendQ: number;
  local: string;
  peer: string;
  /** For a connection, what `ss -ti` prints under it. */
  info?: string;
}

const addr = (a: number, p: number | '*') => `${a === 0 ? '*' : formatIpv4(a)}:${p}`;

/**
 * The socket table as iproute2's `ss -tan` shows it. For a listener, Recv-Q is the number of
 * connections waiting in the accept queue and Send-Q the queue's limit (the backlog), as the
 * seed's 1.6.3 explains; for a connection, Recv-Q is bytes not yet read and Send-Q bytes not yet
 * acknowledged.
 */
export function ssRows(host: Host): SsRow[] {
  const rows: SsRow[] = [];
  for (const s of host.tcp.sockets()) {
    if (s instanceof TcpListener) {
      rows.push({
        state: 'LISTEN',
        recvQ: s.acceptQueueLength,
        sendQ: s.backlog,
        local: addr(s.localAddr, s.localPort),
        peer: '*:*',
      });
      for (const r of s.requests.values()) {
        rows.push({
          state: 'SYN-RECV',
          recvQ: 0,
          sendQ: 0,
          local: addr(r.tuple.localAddr, r.tuple.localPort),
          peer: addr(r.tuple.remoteAddr, r.tuple.remotePort),
        });
      }
    } else if (s instanceof TimeWaitConnection) {
      // Linux's ss has no tcp_info for a timewait sock either.
      const t = s.tuple;
      rows.push({
        state: SS_STATE_NAME[s.state],
        recvQ: 0,
        sendQ: 0,
        local: addr(t.localAddr, t.localPort),
        peer: addr(t.remoteAddr, t.remotePort),
      });
    } else if (s instanceof TcpConnection) {
      const t = s.tuple;
      rows.push({
        state: SS_STATE_NAME[s.state],
        recvQ: s.readableBytes,
        sendQ: s.sendBuf.length,
        local: addr(t.localAddr, t.localPort),
        peer: addr(t.remoteAddr, t.remotePort),
        info: ssInfo(s, host.tcp.now()),
      });
    }
  }
  return rows;
}

const g = (v: number) => String(Number(v.toPrecision(6)));
const rate = (bps: number) =>
  bps >= 1e9
    ? `${g(bps / 1e9)}Gbps`
    : bps >= 1e6
      ? `${g(bps / 1e6)}Mbps`
      : bps >= 1e3
        ? `${g(bps / 1e3)}Kbps`
        : `${Math.round(bps)}bps`;

/**
 * The details `ss -ti` prints for a connection, with iproute2's names and units (times in ms,
 * rtt as srtt/rttvar, rates in bits per second), from the connection's tcp_info.
 */
export function ssInfo(c: TcpConnection, now: number): string {
  const i = c.info(now);
  const v = (k: string) => i[k] ?? 0;
  const parts: string[] = [];
  if (c.tsOk) parts.push('ts');
  if (c.sackOk) parts.push('sack');
  parts.push(c.cc.name);
  if (c.wscaleOk) parts.push(`wscale:${v('tcpi_snd_wscale')},${v('tcpi_rcv_wscale')}`);
  parts.push(`rto:${g(v('tcpi_rto') / 1000)}`);
  if (v('tcpi_rtt') > 0) parts.push(`rtt:${g(v('tcpi_rtt') / 1000)}/${g(v('tcpi_rttvar') / 1000)}`);
  parts.push(`ato:${g(v('tcpi_ato') / 1000)}`);
  parts.push(
    `mss:${v('tcpi_snd_mss')}`,
    `pmtu:${v('tcpi_pmtu')}`,
    `rcvmss:${c.rcvMss}`,
    `advmss:${v('tcpi_advmss')}`,
  );
  parts.push(`cwnd:${v('tcpi_snd_cwnd')}`);
  if (v('tcpi_snd_ssthresh') < 0x7fffffff) parts.push(`ssthresh:${v('tcpi_snd_ssthresh')}`);
  parts.push(`bytes_acked:${v('tcpi_bytes_acked')}`, `bytes_received:${v('tcpi_bytes_received')}`);
  parts.push(`segs_out:${v('tcpi_segs_out')}`, `segs_in:${v('tcpi_segs_in')}`);
  if (v('tcpi_rtt') > 0)
    parts.push(`send ${rate((v('tcpi_snd_cwnd') * v('tcpi_snd_mss') * 8 * 1e6) / v('tcpi_rtt'))}`);
  parts.push(
    `lastsnd:${v('tcpi_last_data_sent')}`,
    `lastrcv:${v('tcpi_last_data_recv')}`,
    `lastack:${v('tcpi_last_ack_recv')}`,
  );
  if (v('tcpi_delivery_rate') > 0) parts.push(`delivery_rate ${rate(v('tcpi_delivery_rate') * 8)}`);
  // iproute2 prints each limit with its share of the busy time.
  const busy = v('tcpi_busy_time');
  const share = (x: number) => (busy > 0 ? `(${((x * 100) / busy).toFixed(1)}%)` : '');
  parts.push(`busy:${Math.round(busy / 1000)}ms`);
  if (v('tcpi_rwnd_limited') > 0)
    parts.push(`rwnd_limited:${Math.round(v('tcpi_rwnd_limited') / 1000)}ms${share(v('tcpi_rwnd_limited'))}`);
  if (v('tcpi_sndbuf_limited') > 0)
    parts.push(
      `sndbuf_limited:${Math.round(v('tcpi_sndbuf_limited') / 1000)}ms${share(v('tcpi_sndbuf_limited'))}`,
    );
  if (v('tcpi_unacked') > 0) parts.push(`unacked:${v('tcpi_unacked')}`);
  if (v('tcpi_total_retrans') > 0) parts.push(`retrans:${v('tcpi_retrans')}/${v('tcpi_total_retrans')}`);
  if (v('tcpi_sacked') > 0) parts.push(`sacked:${v('tcpi_sacked')}`);
  if (v('tcpi_lost') > 0) parts.push(`lost:${v('tcpi_lost')}`);
  parts.push(`rcv_space:${v('tcpi_rcv_space')}`, `rcv_ssthresh:${v('tcpi_rcv_ssthresh')}`);
  if (v('tcpi_min_rtt') > 0) parts.push(`minrtt:${g(v('tcpi_min_rtt') / 1000)}`);
  return parts.join(' ');
}

/** `ss -tan`, or with `info` `ss -tani`: the table, and each connection's details below it. */
export function formatSs(host: Host, opts: { info?: boolean } = {}): string {
  const rows = ssRows(host);
  const head = ['State', 'Recv-Q', 'Send-Q', 'Local Address:Port', 'Peer Address:Port'];
  const cells = rows.map((r) => [r.state, String(r.recvQ), String(r.sendQ), r.local, r.peer]);
  const w = head.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
  const line = (c: string[]) =>
    c.map((x, i) => (i === 1 || i === 2 ? x.padStart(w[i] as number) : x.padEnd(w[i] as number))).join('  ');
  const out = [line(head)];
  rows.forEach((r, k) => {
    out.push(line(cells[k] as string[]));
    if (opts.info && r.info) out.push(`\t ${r.info}`);
  });
  return out.join('\n');
}
