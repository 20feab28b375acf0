import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openPcapFile } from '../link/pcap-file-node.js';
import { Recorder } from '../record/recorder.js';

/** A Recorder whose capture streams to DIR/NAME.pcap, and that writes DIR/report.html when asked. */
export interface RecordingFiles {
  recorder: Recorder;
  dir: string;
  pcapPath: string;
  /** Close the capture and write the report; returns the report's path. */
  finish(reportHtml: string): string;
}

export function startRecording(dir: string, name: string): RecordingFiles {
  const out = resolve(dir);
  mkdirSync(out, { recursive: true });
  const pcapPath = join(out, `${name}.pcap`);
  const pcap = openPcapFile(pcapPath);
  const recorder = new Recorder({ pcap: pcap.writer });
  return {
    recorder,
    dir: out,
    pcapPath,
    finish(reportHtml) {
      pcap.close();
      const path = join(out, 'report.html');
      writeFileSync(path, reportHtml);
      return path;
    },
  };
}
