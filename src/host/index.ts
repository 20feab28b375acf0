export * from './counters.js';
export * from './host.js';
export * from './routes.js';
export * from './settings.js';
export * from './ss.js';
