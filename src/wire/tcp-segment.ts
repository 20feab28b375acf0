/**
 * The in-memory form of a TCP segment (RFC 9293 §3.1), shared by the parser, the builder and the
 * engine. It is a plain mutable record so that one instance can be reused for every segment on the
 * steady-state path (no allocation per segment): options are flattened into fields, SACK blocks
 * live in a fixed Uint32Array, and the payload is a view into the packet buffer, never a copy.
 */

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
export const TCP_URG = 0x20;
export const TCP_ECE = 0x40;
export const TCP_CWR = 0x80;

/** Option kinds (IANA). */
export const TCPOPT_EOL = 0;
export const TCPOPT_NOP = 1;
export const TCPOPT_MSS = 2;
export const TCPOPT_WSCALE = 3;
export const TCPOPT_SACK_PERMITTED = 4;
export const TCPOPT_SACK = 5;
export const TCPOPT_TIMESTAMP = 8;

/** At most four SACK blocks fit in 40 option bytes (three with timestamps). */
export const MAX_SACK_BLOCKS = 4;

const EMPTY = new Uint8Array(0);

export class TcpSegment {
  srcPort = 0;
  dstPort = 0;
  /** SEG.SEQ, unsigned 32-bit. */
  seq = 0;
  /** SEG.ACK, unsigned 32-bit (meaningful when ACK is set). */
  ack = 0;
  /** Header length in 32-bit words (5..15). Set by the parser; the builder computes its own. */
  dataOffset = 5;
  /** The 8 flag bits CWR..FIN (TCP_* constants). The 4 reserved bits are in `reserved`. */
  flags = 0;
  reserved = 0;
  /** SEG.WND as carried on the wire (unscaled). */
  window = 0;
  checksum = 0;
  urgentPointer = 0;

  // Options, flattened. -1 / false means absent.
  mss = -1;
  wscale = -1;
  sackPermitted = false;
  hasTimestamp = false;
  tsVal = 0;
  tsEcr = 0;
  /** Number of SACK blocks present (0..4). Blocks are pairs [left, right) in `sackBlocks`. */
  sackCount = 0;
  readonly sackBlocks = new Uint32Array(MAX_SACK_BLOCKS * 2);
  /**
   * Where the raw option bytes lie: the parser records the packet and the range rather than make
   * a view of every segment's options, which only diagnostics read (see `options`).
   */
  private optBuf: Uint8Array = EMPTY;
  private optStart = 0;
  private optEnd = 0;

  /**
   * The raw option bytes as received (a view). The builder ignores it unless `rawOptions` is set,
   * in which case those bytes are written verbatim (used by packetdrill to inject exact options).
   */
  get options(): Uint8Array {
    return this.optStart === 0 && this.optEnd === this.optBuf.length
      ? this.optBuf
      : this.optBuf.subarray(this.optStart, this.optEnd);
  }

  set options(v: Uint8Array) {
    this.setOptionsRange(v, 0, v.length);
  }

  /** The options are buf[start, end) (the parser's way of setting them without a view). */
  setOptionsRange(buf: Uint8Array, start: number, end: number): void {
    this.optBuf = buf;
    this.optStart = start;
    this.optEnd = end;
  }
  rawOptions: Uint8Array | null = null;
  /** Kinds of options the parser did not understand, kept for diagnostics (skipped safely). */
  unknownOptionCount = 0;
  /** Known options with an impossible length, or an option overrunning the header (ignored, as Linux does). */
  malformedOptions = 0;

  /** Segment data: a view into the packet buffer. */
  payload: Uint8Array = EMPTY;

  /** Reset every field so the record can be reused. */
  clear(): this {
    this.srcPort = 0;
    this.dstPort = 0;
    this.seq = 0;
    this.ack = 0;
    this.dataOffset = 5;
    this.flags = 0;
    this.reserved = 0;
    this.window = 0;
    this.checksum = 0;
    this.urgentPointer = 0;
    this.mss = -1;
    this.wscale = -1;
    this.sackPermitted = false;
    this.hasTimestamp = false;
    this.tsVal = 0;
    this.tsEcr = 0;
    this.sackCount = 0;
    this.setOptionsRange(EMPTY, 0, 0);
    this.rawOptions = null;
    this.unknownOptionCount = 0;
    this.malformedOptions = 0;
    this.payload = EMPTY;
    return this;
  }

  /** SEG.LEN: payload length plus one for SYN and one for FIN (RFC 9293 §3.4). */
  get segLen(): number {
    return this.payload.length + (this.flags & TCP_SYN ? 1 : 0) + (this.flags & TCP_FIN ? 1 : 0);
  }

  addSack(left: number, right: number): boolean {
    if (this.sackCount >= MAX_SACK_BLOCKS) return false;
    this.sackBlocks[this.sackCount * 2] = left >>> 0;
    this.sackBlocks[this.sackCount * 2 + 1] = right >>> 0;
    this.sackCount++;
    return true;
  }

  /** Copy every field (payload and option views are shared, not copied). */
  copyFrom(o: TcpSegment): this {
    this.srcPort = o.srcPort;
    this.dstPort = o.dstPort;
    this.seq = o.seq;
    this.ack = o.ack;
    this.dataOffset = o.dataOffset;
    this.flags = o.flags;
    this.reserved = o.reserved;
    this.window = o.window;
    this.checksum = o.checksum;
    this.urgentPointer = o.urgentPointer;
    this.mss = o.mss;
    this.wscale = o.wscale;
    this.sackPermitted = o.sackPermitted;
    this.hasTimestamp = o.hasTimestamp;
    this.tsVal = o.tsVal;
    this.tsEcr = o.tsEcr;
    this.sackCount = o.sackCount;
    this.sackBlocks.set(o.sackBlocks);
    this.setOptionsRange(o.optBuf, o.optStart, o.optEnd);
    this.rawOptions = o.rawOptions;
    this.unknownOptionCount = o.unknownOptionCount;
    this.malformedOptions = o.malformedOptions;
    this.payload = o.payload;
    return this;
  }
}

/** "S.", "F.", "R", "P." … as tcpdump prints flags. */
export function formatTcpFlags(flags: number): string {
  let s = '';
  if (flags & TCP_SYN) s += 'S';
  if (flags & TCP_FIN) s += 'F';
  if (flags & TCP_RST) s += 'R';
  if (flags & TCP_PSH) s += 'P';
  if (flags & TCP_URG) s += 'U';
  if (flags & TCP_ECE) s += 'E';
  if (flags & TCP_CWR) s += 'W';
  if (flags & TCP_ACK) s += '.';
  return s === '' ? 'none' : s;
}
