import { bulk1500, bulk64k } from './bulk.js';
import { checksum } from './checksum.js';
import { connect } from './connect.js';
import { idleMemory } from './idle-memory.js';
import { rr } from './rr.js';
import { sim } from './sim.js';
import { tun } from './tun.js';
import type { Benchmark } from './types.js';

export type { Benchmark, BenchResult, BenchOptions } from './types.js';

/** Every benchmark, in the order `synack bench` runs them; add a file and a line here. */
export const BENCHMARKS: Benchmark[] = [bulk64k, bulk1500, rr, connect, idleMemory, sim, checksum, tun];
