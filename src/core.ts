/**
 * The core of synack: the stack and its BSD-style sockets. It imports no Node built-ins, so it
 * bundles for a browser (npm test proves it with an esbuild browser build of this file).
 */
export * from './wire/index.js';
export * from './sim/index.js';
export * from './link/index.js';
export * from './host/index.js';
export { DEFAULT_TCP_SETTINGS, defaultTcpSettings, type TcpSettings } from './tcp/settings.js';
export { TcpMib, TcpSnmp, TcpExt } from './tcp/mib.js';
export type { TcpEnv, FourTuple, TcpEventType, TcpErrno } from './tcp/env.js';
export * from './socket/index.js';
export {
  AVAILABLE_CONGESTION_CONTROL,
  createCongestionControl,
  type CongestionControl,
} from './tcp/cc/index.js';
export { Network, type LinkOptions } from './network.js';
export { AutoDriver } from './sim/auto-driver.js';
export type { TcpTraceEvent } from './tcp/trace.js';
export * from './viz/index.js';
export * from './record/index.js';
