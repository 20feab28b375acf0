import { closeSync, openSync, writeSync } from 'node:fs';
import { PcapWriter } from './pcap.js';

/** A pcap file written as packets arrive (Node only). */
export function openPcapFile(path: string): { writer: PcapWriter; close(): void } {
  const fd = openSync(path, 'w');
  let open = true;
  const writer = new PcapWriter((chunk) => {
    if (open) writeSync(fd, chunk);
  });
  return {
    writer,
    close() {
      if (!open) return;
      open = false;
      closeSync(fd);
    },
  };
}
