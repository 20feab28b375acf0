import type { DropReason } from '../wire/drop-reason.js';
import type { TcpSegment } from '../wire/tcp-segment.js';
import type { TcpMib } from './mib.js';
import type { TcpSettings } from './settings.js';
import type { TcpTraceEvent } from './trace.js';

/**
 * What a connection needs from the world around it. The engine is sans-IO: it never reads a clock,
 * arms a timer or touches a device; it is handed the time with every call and answers through this
 * interface. The host (simulation, TUN, packetdrill) implements it.
 */
export interface TcpEnv {
  /** Live settings of the host (sysctls). */
  readonly settings: TcpSettings;
  /** Counters of the host. */
  readonly mib: TcpMib;
  /**
   * Send one segment of `conn`. Addresses and ports come from `conn.tuple`; the host adds IP,
   * computes the checksum and owns nothing of `seg` after the call (it may be reused).
   */
  transmit(conn: TcpConnectionLike, seg: TcpSegment): void;
  /**
   * A segment to build outgoing segments in, lent by the host and shared by its connections: a
   * segment is filled and handed to transmit() in one go, so one per host is enough, and an idle
   * connection holds none.
   */
  readonly scratch: TcpSegment;
  /** The earliest time the connection wants `onTimer` changed (µs; Infinity = none). */
  deadlineChanged(conn: TcpConnectionLike): void;
  /** Something the user layer may want to hear about. */
  event(conn: TcpConnectionLike, ev: TcpEventType, errno?: TcpErrno): void;
  /** 32 random bits (seeded in simulation), for timestamp offsets and the like. */
  random32(): number;
  /**
   * Host-wide budget of RFC 5961 challenge ACKs (tcp_challenge_ack_limit per second); true if one
   * more may be sent now. Absent means unlimited.
   */
  challengeAckAllowed?(now: number): boolean;
  /**
   * The segment being processed is dropped, for this reason (Linux's kfree_skb_reason): the host
   * counts it. Absent means nobody counts.
   */
  drop?(reason: DropReason): void;
  /**
   * A connection's buffers grew or shrank by `delta` bytes: the host adds up tcp_mem (Linux's
   * sk_forward_alloc and tcp_memory_allocated).
   */
  memCharge?(delta: number): void;
  /** True while the host is under TCP memory pressure (above tcp_mem[1], until below tcp_mem[0]). */
  underMemoryPressure?(): boolean;
  /** True when the host's TCP memory is above tcp_mem[2]: nothing more may be allocated. */
  memoryExceeded?(): boolean;
  /** The application closed `conn` while it still has work to do: it is an orphan now. */
  orphaned?(conn: TcpConnectionLike): void;
  /** True when orphans are above tcp_max_orphans (Linux's tcp_too_many_orphans). */
  tooManyOrphans?(): boolean;
  /** A tracer for engine events (trace.ts); null or absent costs nothing. */
  readonly trace?: ((conn: TcpConnectionLike, ev: TcpTraceEvent) => void) | null;
}

/** The minimum the env needs to know of a connection (avoids a type cycle). */
export interface TcpConnectionLike {
  readonly tuple: FourTuple;
  readonly nextDeadline: number;
}

export interface FourTuple {
  localAddr: number;
  localPort: number;
  remoteAddr: number;
  remotePort: number;
}

/**
 * Events, named after what a socket layer does with them:
 * - 'established': the handshake completed (connect() returns / the child is ready for accept()).
 * - 'readable': data (or EOF) became available to read.
 * - 'writable': send-buffer space became available.
 * - 'fin': the peer closed its direction (read() will return EOF after the queued data).
 * - 'error': a soft or hard error was recorded (see errno); for hard errors 'closed' follows.
 * - 'closed': the connection reached CLOSED (or TIME_WAIT finished); the host may forget it.
 * - 'state': the state changed (for traces); read conn.state.
 * - 'time-wait': the connection entered TIME_WAIT (the user handle is gone; the host keeps the tuple).
 */
export type TcpEventType =
  'established' | 'readable' | 'writable' | 'fin' | 'error' | 'closed' | 'state' | 'time-wait';

/** Linux errno names the engine reports. */
export type TcpErrno =
  | 'ECONNREFUSED'
  | 'ECONNRESET'
  | 'ETIMEDOUT'
  | 'EPIPE'
  | 'EHOSTUNREACH'
  | 'ENETUNREACH'
  | 'EMSGSIZE'
  | 'ECONNABORTED'
  | 'EPROTO';
