// Turns a script's --option lines into typed run settings with packetdrill's defaults, and lists
// the options this front end does not know so a runner can skip such a script instead of
// running it under the wrong assumptions.

import type { ScriptOption } from './ast.js';

export interface RunConfig {
  /** Timing slack in microseconds (--tolerance_usecs, default 4000). */
  toleranceUsecs: number;
  /** Timing slack as a share of the expected delay (--tolerance_percent, default 12.5). */
  tolerancePercent: number;
  /** TS clock tick for checking outbound TS val; 0 = unchecked (--tcp_ts_tick_usecs). */
  tcpTsTickUsecs: number;
  /** Interpolate inbound TS ecr values with no recorded mapping (--tcp_ts_ecr_scaled). */
  tcpTsEcrScaled: boolean;
  /** gso_size for large inbound segments (--mss); undefined when not given. */
  mss?: number;
  mtu: number;
  /** One script line per live segment (--strict_segments). */
  strictSegments: boolean;
  ipVersion: 'ipv4' | 'ipv4-mapped-ipv6' | 'ipv6';
  /** Mismatch kinds downgraded to warnings (--non_fatal=packet,syscall). */
  nonFatal: string[];
  bindPort: number;
  connectPort: number;
  localIp?: string;
  remoteIp?: string;
  /** Options accepted but not interpreted here, by name, with their values. */
  other: Record<string, string | undefined>;
}

export type ConfigResult =
  | { ok: true; config: RunConfig; unknown: ScriptOption[] }
  | { ok: false; error: string; option: ScriptOption };

export const DEFAULT_RUN_CONFIG: Readonly<RunConfig> = {
  toleranceUsecs: 4000,
  tolerancePercent: 12.5,
  tcpTsTickUsecs: 0,
  tcpTsEcrScaled: false,
  mtu: 1500,
  strictSegments: false,
  ipVersion: 'ipv4',
  nonFatal: [],
  bindPort: 8080,
  connectPort: 8080,
  other: {},
};

/** Options a runner may safely ignore: they change nothing about the TCP behaviour checked. */
const IGNORED = new Set(['define', 'dry_run', 'verbose', 'send_omit_free', 'code_command', 'init_scripts']);

function num(o: ScriptOption, min: number, max: number, integer: boolean): number | string {
  const v = o.value === undefined ? NaN : Number(o.value);
  if (!Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    return `--${o.name} needs ${integer ? 'an integer' : 'a number'} in ${min}..${max}, got ${o.value ?? 'nothing'}`;
  }
  return v;
}

export function scriptConfig(options: ScriptOption[]): ConfigResult {
  const config: RunConfig = { ...DEFAULT_RUN_CONFIG, nonFatal: [], other: {} };
  const unknown: ScriptOption[] = [];
  for (const o of options) {
    let bad: string | undefined;
    const setNum = (min: number, max: number, integer: boolean, set: (n: number) => void): void => {
      const r = num(o, min, max, integer);
      if (typeof r === 'string') bad = r;
      else set(r);
    };
    switch (o.name) {
      case 'tolerance_usecs':
        setNum(0, 1e9, true, (n) => (config.toleranceUsecs = n));
        break;
      case 'tolerance_percent':
        setNum(0, 100, false, (n) => (config.tolerancePercent = n));
        break;
      case 'tcp_ts_tick_usecs':
        setNum(0, 1e9, true, (n) => (config.tcpTsTickUsecs = n));
        break;
      case 'mss':
        setNum(1, 0xffff, true, (n) => (config.mss = n));
        break;
      case 'mtu':
        setNum(68, 0xffff, true, (n) => (config.mtu = n));
        break;
      case 'bind_port':
        setNum(0, 0xffff, true, (n) => (config.bindPort = n));
        break;
      case 'connect_port':
        setNum(0, 0xffff, true, (n) => (config.connectPort = n));
        break;
      case 'tcp_ts_ecr_scaled':
        config.tcpTsEcrScaled = true;
        break;
      case 'strict_segments':
        config.strictSegments = true;
        break;
      case 'ip_version':
        if (o.value === 'ipv4' || o.value === 'ipv6' || o.value === 'ipv4-mapped-ipv6')
          config.ipVersion = o.value;
        else bad = `--ip_version must be ipv4, ipv6 or ipv4-mapped-ipv6, got ${o.value ?? 'nothing'}`;
        break;
      case 'non_fatal':
        config.nonFatal = (o.value ?? '').split(',').filter((s) => s !== '');
        break;
      case 'local_ip':
        config.localIp = o.value;
        break;
      case 'remote_ip':
        config.remoteIp = o.value;
        break;
      default:
        if (IGNORED.has(o.name)) config.other[o.name] = o.value;
        else unknown.push(o);
    }
    if (bad !== undefined) return { ok: false, error: bad, option: o };
  }
  return { ok: true, config, unknown };
}
