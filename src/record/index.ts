export { Recorder, type Flow, type FlowEnd, type RecorderOptions, type WireSegment } from './recorder.js';
export { endpointLabel, segmentRecords } from './flow-records.js';
export { flowSections, runReport, type RunReportOptions } from './report.js';
export { roundsFromResult } from './rounds.js';
export { TcpdumpFormatter } from './tcpdump.js';
