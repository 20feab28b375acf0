import { TcpConnection } from '../tcp/connection.js';
import { TcpListener } from '../tcp/listener.js';
import { SS_STATE_NAME } from '../tcp/state.js';
import { formatIpv4 } from '../wire/ipv4-addr.js';
import type { Host } from './host.js';

export interface SsRow {
  state: string;
  recvQ: number;
  sendQ: number;
  local: string;
  peer: string;
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
    } else if (s instanceof TcpConnection) {
      const t = s.tuple;
      rows.push({
        state: SS_STATE_NAME[s.state],
        recvQ: s.readableBytes,
        sendQ: s.sendBuf.length,
        local: addr(t.localAddr, t.localPort),
        peer: addr(t.remoteAddr, t.remotePort),
      });
    }
  }
  return rows;
}

export function formatSs(host: Host): string {
  const rows = ssRows(host);
  const head = ['State', 'Recv-Q', 'Send-Q', 'Local Address:Port', 'Peer Address:Port'];
  const cells = rows.map((r) => [r.state, String(r.recvQ), String(r.sendQ), r.local, r.peer]);
  const w = head.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
  const line = (c: string[]) =>
    c.map((x, i) => (i === 1 || i === 2 ? x.padStart(w[i] as number) : x.padEnd(w[i] as number))).join('  ');
  return [line(head), ...cells.map(line)].join('\n');
}
