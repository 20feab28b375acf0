import type { Host } from '../host/host.js';
import { formatSs } from '../host/ss.js';
import type { Simulator } from '../sim/simulator.js';
import type { TcpConnection } from '../tcp/connection.js';
import { CA_STATE_NAME } from '../tcp/trace.js';

/** Lines printed at the start of the transfer, before the rest is summed up. */
const HEAD = 8;
/** Lines kept before a loss event, and printed after it. */
const BEFORE = 6;
const AFTER = 6;

interface Sample {
  t: number;
  cwnd: number;
  ssthresh: number;
  state: string;
}

/**
 * The bulk transfer's part of the demo: thousands of packets are too many to print, so the trace
 * shows the first few, then the packets around the first fast retransmit and the first timeout
 * (with ss -tani at that moment), and the engine's trace is summed up as the phases the seed names.
 */
export function transferStory(
  client: Host,
  c: TcpConnection,
  sim: Simulator,
  say: (s?: string) => void,
  indent: (s: string) => string,
): {
  onLine(line: string): void;
  finish(t0: number, received: number, intact: boolean, drops: string): void;
} {
  const ring: string[] = [];
  let printed = 0;
  let skipped = 0;
  let after = 0;
  let afterLabel = '';
  // Linux's initial window (RFC 6928), before the first ACK moves it.
  const samples: Sample[] = [{ t: sim.now(), cwnd: c.cwnd, ssthresh: c.ssthresh, state: 'Open' }];
  let shownFast = false;
  let shownRto = false;

  const skipNote = (): void => {
    if (skipped > 0) say(`   … ${skipped} packets not shown …`);
    skipped = 0;
  };
  const context = (why: string, label: string): void => {
    skipNote();
    say(`   ${why}`);
    for (const l of ring) say(l);
    ring.length = 0;
    after = AFTER;
    afterLabel = label;
  };

  const unsubscribe = client.tcp.subscribeTrace((t, tuple, ev) => {
    if (tuple.localPort !== c.tuple.localPort) return;
    if (ev.type === 'cwnd')
      samples.push({ t, cwnd: ev.cwnd, ssthresh: ev.ssthresh, state: CA_STATE_NAME[ev.caState] ?? '?' });
    if (ev.type === 'retransmit' && ev.reason === 'fast' && !shownFast && after === 0) {
      shownFast = true;
      context(
        'the first loss: duplicate ACKs carrying SACK blocks come back, and the client resends the hole at once:',
        'ss -tani on the client, in fast recovery (ssthresh halved, PRR bringing cwnd down to it):',
      );
    }
    if (ev.type === 'rto' && !shownRto && after === 0 && shownFast) {
      shownRto = true;
      context(
        `a retransmission timeout: nothing came back for rto ${(ev.rtoUs / 1000).toFixed(0)} ms, so cwnd falls to 1 (Loss):`,
        'ss -tani on the client, after the timeout:',
      );
    }
  });

  return {
    onLine(line: string): void {
      if (printed < HEAD) {
        printed++;
        say(line);
        return;
      }
      if (after > 0) {
        say(line);
        if (--after === 0) {
          say();
          say(`   ${afterLabel}`);
          say(indent(formatSs(client, { info: true })));
          say();
        }
        return;
      }
      skipped++;
      ring.push(line);
      if (ring.length > BEFORE) ring.shift();
    },

    finish(t0, received, intact, drops): void {
      unsubscribe();
      skipNote();
      const secs = (sim.now() - t0) / 1e6;
      const x = client.counters.TcpExt;
      say();
      say(
        `   ${received} bytes ${intact ? 'arrived intact and in order' : 'arrived CORRUPTED'} in ${secs.toFixed(2)} s ` +
          `(${((received * 8) / secs / 1e6).toFixed(2)} Mbit/s of a 10 Mbit/s link)`,
      );
      say(
        `   segments resent: ${client.counters.Tcp.RetransSegs} (fast retransmits ${x.TCPFastRetrans}, ` +
          `timeouts ${x.TCPTimeouts}, loss probes ${x.TCPLossProbes}); fast recoveries with SACK: ${x.TCPSackRecovery}`,
      );
      say(`   ${drops}`);
      say();
      say("   The engine's trace, as the seed's phases:");
      for (const l of phases(samples)) say(`   ${l}`);
      say();
      say('   cwnd (segments) every quarter second:');
      const row: string[] = [];
      for (let at = t0; at <= sim.now(); at += 250_000) {
        let v: Sample | undefined;
        for (const s of samples) if (s.t <= at) v = s;
        if (v) row.push(String(v.cwnd));
      }
      say(`   ${row.join(' ')}`);
      say();
    },
  };
}

/** Slow start, each loss event with what it did to ssthresh and cwnd, and the climbs between. */
function phases(samples: Sample[]): string[] {
  const out: string[] = [];
  const first = samples[0];
  if (!first) return ['(no trace)'];
  // Virtual time, as the trace's lines print it.
  const at = (t: number): string => `${(t / 1e6).toFixed(3)} s`;
  let i = 0;
  let peak = first;
  while (i < samples.length && (samples[i] as Sample).state === 'Open') {
    const s = samples[i] as Sample;
    if (s.cwnd > peak.cwnd) peak = s;
    i++;
  }
  out.push(
    `slow start: cwnd ${first.cwnd} → ${peak.cwnd} segments by ${at(peak.t)}, doubling every round trip (one more per ACK)`,
  );
  let events = 0;
  let shown = 0;
  let prev = 'Open';
  let climbFrom: Sample | undefined;
  for (; i < samples.length; i++) {
    const s = samples[i] as Sample;
    if (s.state === prev) continue;
    if (s.state === 'Recovery' || s.state === 'Loss') {
      events++;
      const last = samples[i - 1] as Sample;
      if (climbFrom && shown < 4 && last.cwnd - climbFrom.cwnd >= 3) {
        out.push(
          `  congestion avoidance: cwnd ${climbFrom.cwnd} → ${last.cwnd} from ${at(climbFrom.t)} to ${at(last.t)}, about one segment per round trip`,
        );
      }
      if (shown < 4) {
        const why =
          s.state === 'Recovery'
            ? 'duplicate ACKs → fast retransmit, fast recovery'
            : 'retransmission timeout → Loss, cwnd 1, slow start again';
        out.push(`${at(s.t)}: ${why}: ssthresh ${s.ssthresh}, cwnd ${s.cwnd}`);
        shown++;
      }
    } else if (s.state === 'Open') climbFrom = s;
    prev = s.state;
  }
  if (events > shown) out.push(`… and ${events - shown} more loss events, each handled the same way`);
  return out;
}
