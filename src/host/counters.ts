import { TcpMib } from '../tcp/mib.js';
import type { DropReason } from '../wire/drop-reason.js';

/** /proc/net/snmp "Ip:" counters (RFC 4293 names, as Linux prints them). */
export class IpMib {
  InReceives = 0;
  InHdrErrors = 0;
  InAddrErrors = 0;
  ForwDatagrams = 0;
  InUnknownProtos = 0;
  InDiscards = 0;
  InDelivers = 0;
  OutRequests = 0;
  OutDiscards = 0;
  OutNoRoutes = 0;
  ReasmTimeout = 0;
  ReasmReqds = 0;
  ReasmOKs = 0;
  ReasmFails = 0;
  FragOKs = 0;
  FragFails = 0;
  FragCreates = 0;
}

/** /proc/net/snmp "Icmp:" counters. */
export class IcmpMib {
  InMsgs = 0;
  InErrors = 0;
  InCsumErrors = 0;
  InDestUnreachs = 0;
  InTimeExcds = 0;
  InEchos = 0;
  InEchoReps = 0;
  OutMsgs = 0;
  OutErrors = 0;
  OutRateLimitHost = 0;
  OutDestUnreachs = 0;
  OutTimeExcds = 0;
  OutEchos = 0;
  OutEchoReps = 0;
}

/** /proc/net/snmp "Udp:" counters. */
export class UdpMib {
  InDatagrams = 0;
  NoPorts = 0;
  InErrors = 0;
  OutDatagrams = 0;
  InCsumErrors = 0;
}

/** Every counter of a host, grouped as Linux groups them, plus drops by reason. */
export class HostCounters extends TcpMib {
  readonly Ip = new IpMib();
  readonly Icmp = new IcmpMib();
  readonly Udp = new UdpMib();
  /** Dropped packets by reason (like Linux's drop reasons). */
  readonly drops = new Map<DropReason, number>();
  /** All drops, whatever the reason. */
  dropTotal = 0;

  drop(reason: DropReason): void {
    this.drops.set(reason, (this.drops.get(reason) ?? 0) + 1);
    this.dropTotal++;
  }
}

const GROUPS = ['Ip', 'Icmp', 'Tcp', 'Udp', 'TcpExt'] as const;

/**
 * Counters flattened with nstat's names: the group then the counter (IpInReceives, TcpActiveOpens,
 * TcpExtListenOverflows…), plus drop reasons as Drop<reason>. Zero counters are included.
 */
export function flatCounters(c: HostCounters): Record<string, number> {
  const out: Record<string, number> = {};
  for (const g of GROUPS) {
    for (const [k, v] of Object.entries(c[g])) out[`${g}${k}`] = v as number;
  }
  for (const [r, n] of c.drops) out[`Drop:${r}`] = n;
  return out;
}

/** Sum flat counters of several hosts. */
export function sumCounters(list: Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of list) for (const [k, v] of Object.entries(m)) out[k] = (out[k] ?? 0) + v;
  return out;
}

export function diffCounters(
  before: Record<string, number>,
  after: Record<string, number>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) {
    const d = v - (before[k] ?? 0);
    if (d !== 0) out[k] = d;
  }
  return out;
}

/** nstat-style text: one non-zero counter per line. */
export function formatNstat(flat: Record<string, number>): string {
  return Object.entries(flat)
    .filter(([, v]) => v !== 0)
    .map(([k, v]) => `${k.padEnd(32)} ${String(v).padStart(12)}`)
    .join('\n');
}

/**
 * netstat -s style text. The sentences for the counters the seed quotes are Linux net-tools'
 * wording; the rest are printed as "Name: value" under their group, as netstat does for counters
 * it has no sentence for.
 */
export function formatNetstatS(c: HostCounters): string {
  const lines: string[] = [];
  const t = c.Tcp;
  const x = c.TcpExt;
  lines.push('Ip:');
  lines.push(`    ${c.Ip.InReceives} total packets received`);
  lines.push(`    ${c.Ip.ForwDatagrams} forwarded`);
  lines.push(`    ${c.Ip.InDiscards} incoming packets discarded`);
  lines.push(`    ${c.Ip.InDelivers} incoming packets delivered`);
  lines.push(`    ${c.Ip.OutRequests} requests sent out`);
  lines.push('Icmp:');
  lines.push(`    ${c.Icmp.InMsgs} ICMP messages received`);
  lines.push(`    ${c.Icmp.InErrors} input ICMP message failed`);
  lines.push(`    ${c.Icmp.OutMsgs} ICMP messages sent`);
  lines.push('Tcp:');
  lines.push(`    ${t.ActiveOpens} active connection openings`);
  lines.push(`    ${t.PassiveOpens} passive connection openings`);
  lines.push(`    ${t.AttemptFails} failed connection attempts`);
  lines.push(`    ${t.EstabResets} connection resets received`);
  lines.push(`    ${t.CurrEstab} connections established`);
  lines.push(`    ${t.InSegs} segments received`);
  lines.push(`    ${t.OutSegs} segments sent out`);
  lines.push(`    ${t.RetransSegs} segments retransmitted`);
  lines.push(`    ${t.InErrs} bad segments received`);
  lines.push(`    ${t.OutRsts} resets sent`);
  lines.push('Udp:');
  lines.push(`    ${c.Udp.InDatagrams} packets received`);
  lines.push(`    ${c.Udp.NoPorts} packets to unknown port received`);
  lines.push(`    ${c.Udp.OutDatagrams} packets sent`);
  lines.push('TcpExt:');
  if (x.ListenOverflows) lines.push(`    ${x.ListenOverflows} times the listen queue of a socket overflowed`);
  if (x.ListenDrops) lines.push(`    ${x.ListenDrops} SYNs to LISTEN sockets dropped`);
  if (x.SyncookiesSent) lines.push(`    ${x.SyncookiesSent} SYN cookies sent`);
  if (x.SyncookiesRecv) lines.push(`    ${x.SyncookiesRecv} SYN cookies received`);
  if (x.SyncookiesFailed) lines.push(`    ${x.SyncookiesFailed} invalid SYN cookies received`);
  if (x.TW) lines.push(`    ${x.TW} TCP sockets finished time wait in fast timer`);
  if (x.DelayedACKs) lines.push(`    ${x.DelayedACKs} delayed acks sent`);
  for (const [k, v] of Object.entries(x)) {
    if (
      v !== 0 &&
      ![
        'ListenOverflows',
        'ListenDrops',
        'SyncookiesSent',
        'SyncookiesRecv',
        'SyncookiesFailed',
        'TW',
        'DelayedACKs',
      ].includes(k)
    ) {
      lines.push(`    ${k}: ${v}`);
    }
  }
  if (c.drops.size > 0) {
    lines.push('Drops:');
    for (const [r, n] of c.drops) lines.push(`    ${r}: ${n}`);
  }
  return lines.join('\n');
}
