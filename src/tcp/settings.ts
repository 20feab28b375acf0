/**
 * TCP settings, by their Linux sysctl names (net.ipv4.tcp_* and net.core.somaxconn) with Linux 6.x
 * defaults. The host owns one TcpSettings object and every connection reads it live, as Linux's
 * per-namespace sysctls are read. Times are in the unit Linux's sysctl uses (seconds or ms), noted
 * per field; the engine converts.
 */
export interface TcpSettings {
  /** SYN retransmissions for active opens before giving up with ETIMEDOUT (1+2+…+64 s = 127 s). */
  tcp_syn_retries: number;
  /** SYN-ACK retransmissions for a passive open (1, 2, 4, 8, 16 s, then 32 s more: the seed's 63 s). */
  tcp_synack_retries: number;
  /** 0 never, 1 when the SYN queue overflows, 2 always. */
  tcp_syncookies: number;
  /** Upper bound on the SYN queue (requests in SYN_RECV) of one listener. */
  tcp_max_syn_backlog: number;
  /** net.core.somaxconn: upper bound on listen()'s backlog (the accept queue). */
  somaxconn: number;
  /** 1: answer a final ACK with RST when the accept queue is full; 0: drop it and resend SYN-ACK. */
  tcp_abort_on_overflow: number;
  /** FIN_WAIT_2 lifetime for orphaned sockets, seconds. */
  tcp_fin_timeout: number;
  /** Seconds idle before the first keepalive probe. */
  tcp_keepalive_time: number;
  /** Seconds between keepalive probes. */
  tcp_keepalive_intvl: number;
  /** Unanswered probes before the connection is dropped. */
  tcp_keepalive_probes: number;
  /** Retransmissions before the route is suspected (negative advice). */
  tcp_retries1: number;
  /** Retransmissions before an established connection gives up (about 924.6 s at the default). */
  tcp_retries2: number;
  /** Retries for orphaned connections; 0 means Linux's default of 8. */
  tcp_orphan_retries: number;
  /** RFC 7323 timestamps: 0 off, 1 on with random offsets, 2 on without offsets. */
  tcp_timestamps: number;
  /** RFC 7323 window scaling. */
  tcp_window_scaling: number;
  /** RFC 2018 selective acknowledgements. */
  tcp_sack: number;
  /** RFC 2883 duplicate SACKs. */
  tcp_dsack: number;
  /** ECN: 0 off, 1 request and accept, 2 accept only (Linux's default). */
  tcp_ecn: number;
  /** Receive buffer min, default, max (bytes). */
  tcp_rmem: [number, number, number];
  /** Send buffer min, default, max (bytes). */
  tcp_wmem: [number, number, number];
  /**
   * Memory for all TCP buffers of the host, in 4 KiB pages: below [0] no pressure, above [1] memory
   * pressure, above [2] nothing more is allocated (Linux's tcp_mem).
   */
  tcp_mem: [number, number, number];
  /** Receive buffer auto-tuning. */
  tcp_moderate_rcvbuf: number;
  /** Share of the receive buffer kept for overhead: window = space - space >> tcp_adv_win_scale. */
  tcp_adv_win_scale: number;
  /** Congestion control for new connections: reno, cubic, or tahoe (the seed's textbook variant). */
  tcp_congestion_control: string;
  /** Initial congestion window in segments (Linux sets it per route as initcwnd; RFC 6928: 10). */
  tcp_init_cwnd: number;
  /**
   * Initial slow-start threshold in segments; 0 means unlimited. Linux sets it per route
   * (ip route … ssthresh N); the seed's textbook figure starts at 16.
   */
  tcp_init_ssthresh: number;
  /** Acknowledge every segment at once (Linux's quickack route attribute); 0 = delayed ACKs. */
  tcp_quickack: number;
  /** Restart from the initial window after an idle period longer than the RTO (RFC 5681 §4.1). */
  tcp_slow_start_after_idle: number;
  /** Initial reordering degree (duplicate ACKs for fast retransmit). */
  tcp_reordering: number;
  /** Upper bound for the reordering degree. */
  tcp_max_reordering: number;
  /** Loss detection: bit 0 enables RACK (RFC 8985). */
  tcp_recovery: number;
  /** F-RTO (RFC 5682): 0 off, 1 basic, 2 SACK-enhanced. */
  tcp_frto: number;
  /** Tail loss probes (RFC 8985 §7): 3 = TLP enabled, as Linux's default. */
  tcp_early_retrans: number;
  /** Minimum RTO in milliseconds (Linux's TCP_RTO_MIN; settable per route as rto_min). */
  tcp_rto_min_ms: number;
  /** Initial RTO in milliseconds (Linux's TCP_TIMEOUT_INIT, RFC 6298 §2.1). */
  tcp_rto_initial_ms: number;
  /** Maximum RTO in milliseconds (Linux's TCP_RTO_MAX). */
  tcp_rto_max_ms: number;
  /** Window of the min-RTT filter, seconds. */
  tcp_min_rtt_wlen: number;
  /** Host-wide challenge ACKs per second (RFC 5961 §5); Linux 6.x defaults to unlimited. */
  tcp_challenge_ack_limit: number;
  /** Per-socket minimum gap between out-of-window/challenge ACKs, ms. */
  tcp_invalid_ratelimit: number;
  /** RFC 1337 TIME_WAIT assassination protection. */
  tcp_rfc1337: number;
  /** Reuse of TIME_WAIT sockets for new outgoing connections: 2 = loopback only. */
  tcp_tw_reuse: number;
  /** TIME_WAIT sockets kept at most; beyond, connections close without TIME_WAIT. */
  tcp_max_tw_buckets: number;
  /** Orphaned sockets (closed by the application, not yet done) kept at most. */
  tcp_max_orphans: number;
  /** TIME_WAIT length in seconds. Not a Linux sysctl (TCP_TIMEWAIT_LEN is fixed at 60 s = 2×MSL). */
  tcp_tw_timeout: number;
  /** Initial MSS for MTU probing. */
  tcp_base_mss: number;
  /** Packetization-layer PMTU discovery (RFC 4821): 0 off. */
  tcp_mtu_probing: number;
  /** Coalesce small writes while earlier data is still in the host's queues. */
  tcp_autocorking: number;
  /** Pacing rate as a percentage of cwnd/srtt in slow start. */
  tcp_pacing_ss_ratio: number;
  /** Pacing rate as a percentage of cwnd/srtt in congestion avoidance. */
  tcp_pacing_ca_ratio: number;
  /** Fewest segments a TSO/GSO packet is sized for, whatever the pacing rate (tcp_tso_autosize). */
  tcp_min_tso_segs: number;
  /** TSO packets grow towards 64 KB on paths whose min RTT is below 2^this µs (tcp_tso_autosize). */
  tcp_tso_rtt_log: number;
  /** Urgent pointer interpretation: 0 = BSD (points past the urgent byte), as Linux's default. */
  tcp_stdurg: number;
  /** Maximum SACK blocks compressed into one ACK before sending. */
  tcp_comp_sack_nr: number;
  /** TCP Fast Open: 1 = client enabled. */
  tcp_fastopen: number;
  /** Do not cache metrics of closed connections. */
  tcp_no_metrics_save: number;
  /** Bytes of unsent data above which the socket is not writable (0xffffffff = no limit). */
  tcp_notsent_lowat: number;
  /** Limit on bytes queued below TCP per socket (TSQ). */
  tcp_limit_output_bytes: number;
}

const DEFAULTS: TcpSettings = {
  tcp_syn_retries: 6,
  tcp_synack_retries: 5,
  tcp_syncookies: 1,
  tcp_max_syn_backlog: 128,
  somaxconn: 4096,
  tcp_abort_on_overflow: 0,
  tcp_fin_timeout: 60,
  tcp_keepalive_time: 7200,
  tcp_keepalive_intvl: 75,
  tcp_keepalive_probes: 9,
  tcp_retries1: 3,
  tcp_retries2: 15,
  tcp_orphan_retries: 0,
  tcp_timestamps: 1,
  tcp_window_scaling: 1,
  tcp_sack: 1,
  tcp_dsack: 1,
  tcp_ecn: 2,
  tcp_rmem: [4096, 131072, 6291456],
  tcp_wmem: [4096, 16384, 4194304],
  // What Linux's tcp_init_mem picks on a 4 GiB machine (1/16 of the pages, ×3/4 and ×1.5).
  tcp_mem: [49152, 65536, 98304],
  tcp_moderate_rcvbuf: 1,
  tcp_adv_win_scale: 1,
  tcp_congestion_control: 'cubic',
  tcp_init_cwnd: 10,
  tcp_init_ssthresh: 0,
  tcp_quickack: 0,
  tcp_slow_start_after_idle: 1,
  tcp_reordering: 3,
  tcp_max_reordering: 300,
  tcp_recovery: 1,
  tcp_frto: 2,
  tcp_early_retrans: 3,
  tcp_rto_min_ms: 200,
  tcp_rto_initial_ms: 1000,
  tcp_rto_max_ms: 120000,
  tcp_min_rtt_wlen: 300,
  tcp_challenge_ack_limit: 2147483647,
  tcp_invalid_ratelimit: 500,
  tcp_rfc1337: 0,
  tcp_tw_reuse: 2,
  tcp_max_tw_buckets: 262144,
  tcp_max_orphans: 262144,
  tcp_tw_timeout: 60,
  tcp_base_mss: 1024,
  tcp_mtu_probing: 0,
  tcp_autocorking: 1,
  tcp_pacing_ss_ratio: 200,
  tcp_pacing_ca_ratio: 120,
  tcp_min_tso_segs: 2,
  tcp_tso_rtt_log: 9,
  tcp_stdurg: 0,
  tcp_comp_sack_nr: 44,
  tcp_fastopen: 1,
  tcp_no_metrics_save: 0,
  tcp_notsent_lowat: 0xffffffff,
  tcp_limit_output_bytes: 1048576,
};

export const DEFAULT_TCP_SETTINGS: Readonly<TcpSettings> = Object.freeze(DEFAULTS);

export function defaultTcpSettings(): TcpSettings {
  const s = { ...DEFAULT_TCP_SETTINGS };
  s.tcp_rmem = [DEFAULTS.tcp_rmem[0], DEFAULTS.tcp_rmem[1], DEFAULTS.tcp_rmem[2]];
  s.tcp_wmem = [DEFAULTS.tcp_wmem[0], DEFAULTS.tcp_wmem[1], DEFAULTS.tcp_wmem[2]];
  s.tcp_mem = [DEFAULTS.tcp_mem[0], DEFAULTS.tcp_mem[1], DEFAULTS.tcp_mem[2]];
  return s;
}
