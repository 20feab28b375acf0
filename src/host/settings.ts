import { AVAILABLE_CONGESTION_CONTROL } from '../tcp/cc/index.js';
import { DEFAULT_TCP_SETTINGS, defaultTcpSettings, type TcpSettings } from '../tcp/settings.js';

/** IPv4 and ICMP sysctls (net.ipv4.*) with Linux 6.x defaults. */
export interface IpSettings {
  /** Forward packets not addressed to this host (a router). */
  ip_forward: number;
  ip_default_ttl: number;
  /** Ephemeral ports for connect(). */
  ip_local_port_range: [number, number];
  /** 1: do not set DF on TCP (no path MTU discovery, RFC 1191). */
  ip_no_pmtu_disc: number;
  /** Seconds an incomplete datagram waits for its fragments. */
  ipfrag_time: number;
  /** Memory (bytes) for fragments awaiting reassembly before new ones are refused. */
  ipfrag_high_thresh: number;
  /** Minimum gap, ms, between ICMP errors of the rate-limited kinds to one destination. */
  icmp_ratelimit: number;
  /** Host-wide ICMP messages per second (token bucket rate). */
  icmp_msgs_per_sec: number;
  /** Host-wide ICMP token bucket depth. */
  icmp_msgs_burst: number;
  /** Ignore echo requests. */
  icmp_echo_ignore_all: number;
}

export type HostSettings = IpSettings & TcpSettings;

const IP_DEFAULTS: IpSettings = {
  ip_forward: 0,
  ip_default_ttl: 64,
  ip_local_port_range: [32768, 60999],
  ip_no_pmtu_disc: 0,
  ipfrag_time: 30,
  ipfrag_high_thresh: 4194304,
  icmp_ratelimit: 1000,
  icmp_msgs_per_sec: 1000,
  icmp_msgs_burst: 50,
  icmp_echo_ignore_all: 0,
};

export function defaultHostSettings(): HostSettings {
  return { ...IP_DEFAULTS, ip_local_port_range: [32768, 60999], ...defaultTcpSettings() };
}

type Kind =
  | { type: 'int'; min: number; max: number }
  | { type: 'triple' }
  | { type: 'pair' }
  | { type: 'enum'; values: string[] };

interface Spec {
  kind: Kind;
  description: string;
}

const bool = (description: string): Spec => ({ kind: { type: 'int', min: 0, max: 1 }, description });
const int = (min: number, max: number, description: string): Spec => ({
  kind: { type: 'int', min, max },
  description,
});
const INT_MAX = 2147483647;

/** Every setting a host accepts, with its allowed values; the single place they are documented. */
export const SETTINGS_SPEC: Record<keyof HostSettings, Spec> = {
  ip_forward: bool('forward packets for other hosts (act as a router)'),
  ip_default_ttl: int(1, 255, 'TTL of packets this host originates'),
  ip_local_port_range: {
    kind: { type: 'pair' },
    description: 'ephemeral port range "low high" for connect()',
  },
  ip_no_pmtu_disc: bool('1 disables path MTU discovery (DF not set)'),
  ipfrag_time: int(1, 3600, 'seconds an incomplete IPv4 datagram is kept for reassembly'),
  ipfrag_high_thresh: int(0, INT_MAX, 'bytes of fragments held for reassembly at most'),
  icmp_ratelimit: int(0, INT_MAX, 'ms between ICMP errors to one destination'),
  icmp_msgs_per_sec: int(0, INT_MAX, 'ICMP messages per second, host-wide'),
  icmp_msgs_burst: int(0, INT_MAX, 'ICMP burst allowance, host-wide'),
  icmp_echo_ignore_all: bool('ignore ICMP echo requests'),
  tcp_syn_retries: int(1, 127, 'SYN retransmissions before connect() fails with ETIMEDOUT'),
  tcp_synack_retries: int(1, 255, 'SYN-ACK retransmissions before a half-open request is dropped'),
  tcp_syncookies: int(0, 2, 'SYN cookies: 0 never, 1 when the SYN queue overflows, 2 always'),
  tcp_max_syn_backlog: int(1, INT_MAX, 'half-open requests per listener at most'),
  somaxconn: int(1, 65535, 'net.core.somaxconn: upper bound of the accept queue (listen backlog)'),
  tcp_abort_on_overflow: bool('reset connections when the accept queue is full instead of dropping the ACK'),
  tcp_fin_timeout: int(1, INT_MAX, 'seconds an orphaned connection may stay in FIN-WAIT-2'),
  tcp_keepalive_time: int(1, 32767, 'seconds idle before the first keepalive probe'),
  tcp_keepalive_intvl: int(1, 32767, 'seconds between keepalive probes'),
  tcp_keepalive_probes: int(1, 127, 'unanswered keepalive probes before the connection fails'),
  tcp_retries1: int(0, 255, 'retransmissions before the path is suspected'),
  tcp_retries2: int(0, 255, 'retransmissions before an established connection fails with ETIMEDOUT'),
  tcp_orphan_retries: int(0, 255, 'retransmissions for orphaned connections (0 means 8)'),
  tcp_timestamps: int(0, 2, 'RFC 7323 timestamps: 0 off, 1 with random offsets, 2 without'),
  tcp_window_scaling: bool('RFC 7323 window scaling'),
  tcp_sack: bool('RFC 2018 selective acknowledgements'),
  tcp_dsack: bool('RFC 2883 duplicate SACKs'),
  tcp_ecn: int(0, 2, 'ECN: 0 off, 1 request, 2 accept when requested'),
  tcp_rmem: { kind: { type: 'triple' }, description: 'receive buffer "min default max" in bytes' },
  tcp_wmem: { kind: { type: 'triple' }, description: 'send buffer "min default max" in bytes' },
  tcp_mem: { kind: { type: 'triple' }, description: 'all TCP buffers "low pressure high" in 4 KiB pages' },
  tcp_moderate_rcvbuf: bool('receive buffer auto-tuning'),
  tcp_adv_win_scale: int(-31, 31, 'share of the receive buffer advertised as window'),
  tcp_congestion_control: {
    kind: { type: 'enum', values: AVAILABLE_CONGESTION_CONTROL },
    description: 'congestion control',
  },
  tcp_init_cwnd: int(1, 1000, 'initial congestion window in segments (RFC 6928; route initcwnd)'),
  tcp_init_ssthresh: int(
    0,
    INT_MAX,
    'initial slow-start threshold in segments, 0 = unlimited (route ssthresh)',
  ),
  tcp_quickack: bool('acknowledge every segment at once, no delayed ACK (route quickack)'),
  tcp_slow_start_after_idle: bool('restart slow start after an idle period (RFC 5681 §4.1)'),
  tcp_reordering: int(1, 300, 'initial reordering degree (duplicate ACKs for fast retransmit)'),
  tcp_max_reordering: int(1, INT_MAX, 'largest reordering degree'),
  tcp_recovery: int(0, 7, 'loss detection: bit 0 enables RACK (RFC 8985)'),
  tcp_frto: int(0, 2, 'F-RTO (RFC 5682)'),
  tcp_early_retrans: int(0, 4, 'tail loss probes (3 or 4 enable TLP)'),
  tcp_rto_min_ms: int(1, 120000, 'minimum retransmission timeout, ms'),
  tcp_rto_initial_ms: int(1, 120000, 'initial retransmission timeout, ms (RFC 6298)'),
  tcp_rto_max_ms: int(1, 600000, 'maximum retransmission timeout, ms'),
  tcp_min_rtt_wlen: int(0, 86400, 'seconds of the min-RTT filter window'),
  tcp_challenge_ack_limit: int(0, INT_MAX, 'challenge ACKs per second, host-wide (RFC 5961)'),
  tcp_invalid_ratelimit: int(0, INT_MAX, 'ms between out-of-window ACKs per socket'),
  tcp_rfc1337: bool('RFC 1337 TIME-WAIT assassination hazard protection'),
  tcp_tw_reuse: int(0, 2, 'reuse TIME-WAIT tuples for connect(): 2 = loopback only'),
  tcp_max_tw_buckets: int(0, INT_MAX, 'TIME-WAIT connections kept at most'),
  tcp_max_orphans: int(0, INT_MAX, 'orphaned connections kept at most'),
  tcp_tw_timeout: int(1, 3600, 'TIME-WAIT seconds (2×MSL; fixed at 60 in Linux)'),
  tcp_base_mss: int(48, 65535, 'starting MSS for MTU probing'),
  tcp_mtu_probing: int(0, 2, 'packetization-layer PMTU discovery (RFC 4821)'),
  tcp_autocorking: bool('coalesce small writes while data is queued'),
  tcp_pacing_ss_ratio: int(0, 1000, 'pacing rate % of cwnd/srtt in slow start'),
  tcp_pacing_ca_ratio: int(0, 1000, 'pacing rate % of cwnd/srtt in congestion avoidance'),
  tcp_min_tso_segs: int(1, 127, 'fewest segments a TSO/GSO packet is sized for'),
  tcp_tso_rtt_log: int(0, 31, 'TSO packets grow on paths with min RTT below 2^N µs'),
  tcp_stdurg: bool('RFC 1122 urgent pointer interpretation'),
  tcp_comp_sack_nr: int(0, 255, 'SACKs compressed into one at most'),
  tcp_fastopen: int(0, 0xffffff, 'TCP Fast Open flags'),
  tcp_no_metrics_save: bool('do not cache metrics of closed connections'),
  tcp_notsent_lowat: int(0, 0xffffffff, 'unsent bytes above which a socket is not writable'),
  tcp_limit_output_bytes: int(0, INT_MAX, 'bytes queued below TCP per socket at most'),
};

const PREFIXES = ['net.ipv4.', 'net.core.', 'net/ipv4/', 'net/core/'];

function normalise(name: string): string {
  for (const p of PREFIXES) if (name.startsWith(p)) return name.slice(p.length);
  return name;
}

function closest(name: string): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  for (const k of Object.keys(SETTINGS_SPEC)) {
    const d = editDistance(name, k);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return bestD <= Math.max(2, Math.floor(name.length / 4)) ? best : null;
}

function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0] as number;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j] as number;
      dp[j] = Math.min(
        (dp[j] as number) + 1,
        (dp[j - 1] as number) + 1,
        prev + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      prev = tmp;
    }
  }
  return dp[b.length] as number;
}

export function isSettingName(name: string): boolean {
  return normalise(name) in SETTINGS_SPEC;
}

/**
 * Set one setting by its sysctl name (with or without the net.ipv4./net.core. prefix) from text
 * or a number, as `sysctl -w` would. Throws an Error that says what is allowed.
 */
export function setSetting(settings: HostSettings, rawName: string, value: string | number): void {
  const name = normalise(rawName);
  const spec = (SETTINGS_SPEC as Record<string, Spec | undefined>)[name];
  if (!spec) {
    const hint = closest(name);
    throw new Error(`unknown setting "${rawName}"${hint ? ` (did you mean ${hint}?)` : ''}`);
  }
  const text = String(value).trim();
  const k = spec.kind;
  const target = settings as unknown as Record<string, unknown>;
  const ints = (n: number): number[] => {
    const parts = text.split(/[\s,]+/).filter(Boolean);
    const nums = parts.map(Number);
    if (parts.length !== n || nums.some((x) => !Number.isSafeInteger(x) || x < 0)) {
      throw new Error(`bad value for ${name}: ${JSON.stringify(text)} (expected ${n} non-negative integers)`);
    }
    return nums;
  };
  switch (k.type) {
    case 'int': {
      const n = Number(text);
      if (text === '' || !Number.isSafeInteger(n) || n < k.min || n > k.max) {
        throw new Error(
          `bad value for ${name}: ${JSON.stringify(text)} (expected an integer from ${k.min} to ${k.max})`,
        );
      }
      target[name] = n;
      return;
    }
    case 'enum':
      if (!k.values.includes(text)) {
        throw new Error(
          `bad value for ${name}: ${JSON.stringify(text)} (expected one of ${k.values.join(', ')})`,
        );
      }
      target[name] = text;
      return;
    case 'triple': {
      const [a, b, c] = ints(3) as [number, number, number];
      if (!(a <= b && b <= c))
        throw new Error(`bad value for ${name}: "${text}" (expected min <= default <= max)`);
      target[name] = [a, b, c];
      return;
    }
    case 'pair': {
      const [lo, hi] = ints(2) as [number, number];
      if (!(lo >= 1 && lo <= hi && hi <= 65535)) {
        throw new Error(
          `bad value for ${name}: "${text}" (expected "low high" with 1 <= low <= high <= 65535)`,
        );
      }
      target[name] = [lo, hi];
      return;
    }
  }
}

/** Settings as sysctl name → value text (for JSON output and `--help`). */
export function settingsToRecord(settings: HostSettings): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const k of Object.keys(SETTINGS_SPEC) as (keyof HostSettings)[]) {
    const v = settings[k];
    out[k] = Array.isArray(v) ? v.join(' ') : v;
  }
  return out;
}

/** One line per setting: name, default, meaning. */
export function describeSettings(): string {
  const defaults = settingsToRecord(defaultHostSettings());
  return Object.entries(SETTINGS_SPEC)
    .map(([k, s]) => `  ${k.padEnd(28)} ${String(defaults[k]).padEnd(24)} ${s.description}`)
    .join('\n');
}

export { DEFAULT_TCP_SETTINGS };
