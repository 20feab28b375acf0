export * from './event-queue.js';
export * from './rng.js';
export * from './scheduler.js';
export * from './simulator.js';
export * from './wall-clock.js';
