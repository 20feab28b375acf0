import { bench } from './bench.js';
import type { Command } from './command.js';
import { demo } from './demo.js';
import { fuzzCommand } from './fuzz.js';
import { packetdrill } from './packetdrill.js';
import { scenario } from './scenario.js';
import { soakCommand } from './soak.js';
import { tun } from './tun.js';

/** Every `synack` command, in the order `synack --help` lists them. */
export const commands: Command[] = [demo, scenario, packetdrill, bench, tun, fuzzCommand, soakCommand];
