import { closeSync, openSync, writeSync } from 'node:fs';
import { PcapWriter } from './pcap.js';

/** Records are gathered and written in blocks of about this size: one system call per block. */
const BLOCK = 1 << 20;

/** A pcap file written as packets arrive (Node only); `close()` writes what is still gathered. */
export function openPcapFile(path: string): { writer: PcapWriter; flush(): void; close(): void } {
  const fd = openSync(path, 'w');
  let open = true;
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const flush = (): void => {
    if (!open || pending.length === 0) return;
    writeSync(fd, Buffer.concat(pending, pendingBytes));
    pending = [];
    pendingBytes = 0;
  };
  const writer = new PcapWriter((chunk) => {
    if (!open) return;
    pending.push(chunk);
    pendingBytes += chunk.length;
    if (pendingBytes >= BLOCK) flush();
  });
  return {
    writer,
    flush,
    close() {
      if (!open) return;
      flush();
      open = false;
      closeSync(fd);
    },
  };
}
