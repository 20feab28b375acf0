/**
 * Classic libpcap files (magic 0xa1b2c3d4, version 2.4) with LINKTYPE_RAW (101): each record is a
 * bare IPv4 packet, which Wireshark and tshark read directly. The writer streams to a sink as the
 * simulation runs, so a long capture is never held in memory; the sink keeps the core free of fs.
 */
export const LINKTYPE_RAW = 101;
const MAGIC = 0xa1b2c3d4;

export class PcapWriter {
  private readonly snaplen: number;
  packets = 0;

  constructor(
    private readonly sink: (chunk: Uint8Array) => void,
    opts: { snaplen?: number } = {},
  ) {
    this.snaplen = opts.snaplen ?? 262144;
    const h = new Uint8Array(24);
    const v = new DataView(h.buffer);
    v.setUint32(0, MAGIC, true);
    v.setUint16(4, 2, true);
    v.setUint16(6, 4, true);
    v.setInt32(8, 0, true);
    v.setUint32(12, 0, true);
    v.setUint32(16, this.snaplen, true);
    v.setUint32(20, LINKTYPE_RAW, true);
    sink(h);
  }

  writePacket(timeUs: number, packet: Uint8Array, origLength = packet.length): void {
    const cap = Math.min(packet.length, this.snaplen);
    const rec = new Uint8Array(16 + cap);
    const v = new DataView(rec.buffer);
    const t = Math.max(0, Math.round(timeUs));
    v.setUint32(0, Math.floor(t / 1e6), true);
    v.setUint32(4, t % 1e6, true);
    v.setUint32(8, cap, true);
    v.setUint32(12, origLength, true);
    rec.set(packet.subarray(0, cap), 16);
    this.sink(rec);
    this.packets++;
  }
}

export interface PcapRecord {
  timeUs: number;
  packet: Uint8Array;
  origLength: number;
}

/** Read a classic pcap file (either byte order, microsecond timestamps). */
export function readPcap(bytes: Uint8Array): { linkType: number; records: PcapRecord[] } {
  if (bytes.length < 24) throw new Error('not a pcap file: shorter than its global header');
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const m = v.getUint32(0, true);
  const le = m === MAGIC;
  if (!le && v.getUint32(0, false) !== MAGIC) throw new Error(`not a pcap file: magic 0x${m.toString(16)}`);
  const linkType = v.getUint32(20, le);
  const records: PcapRecord[] = [];
  let off = 24;
  while (off + 16 <= bytes.length) {
    const sec = v.getUint32(off, le);
    const usec = v.getUint32(off + 4, le);
    const incl = v.getUint32(off + 8, le);
    const orig = v.getUint32(off + 12, le);
    if (off + 16 + incl > bytes.length) break;
    records.push({
      timeUs: sec * 1e6 + usec,
      packet: bytes.slice(off + 16, off + 16 + incl),
      origLength: orig,
    });
    off += 16 + incl;
  }
  return { linkType, records };
}
