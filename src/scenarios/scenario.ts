import type { Host } from '../host/host.js';

/** What a scenario run gets: its seed and the host settings given with --set. */
export interface ScenarioContext {
  seed: number;
  settings: Record<string, string>;
  /** Progress lines for a terminal (never printed with --json). */
  progress(text: string): void;
}

export interface ScenarioOutcome {
  hosts: Host[];
  /** The scenario's own figures. */
  result: Record<string, unknown>;
  /** A readable account for a person (printed without --json). */
  story: string[];
}

export interface Scenario {
  name: string;
  summary: string;
  run(ctx: ScenarioContext): ScenarioOutcome;
}
