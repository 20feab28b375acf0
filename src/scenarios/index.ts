import type { Scenario } from './scenario.js';
import { fairness } from './fairness.js';
import { synFlood } from './syn-flood.js';
import { textbookCongestion } from './textbook-congestion.js';

export type { Scenario, ScenarioContext, ScenarioOutcome } from './scenario.js';

/** Every scenario `synack scenario` knows, by name. */
export const SCENARIOS: Scenario[] = [textbookCongestion, fairness, synFlood];
