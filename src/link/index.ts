export * from './capture-tap.js';
export * from './device.js';
export * from './fault-model.js';
export * from './pcap.js';
export * from './sim-link.js';
export * from './sim-switch.js';
