import type { Scenario } from './scenario.js';
import { acceptOverflow } from './accept-overflow.js';
import { close } from './close.js';
import { delayedAck } from './delayed-ack.js';
import { congestionAvoidance } from './congestion-avoidance.js';
import { fairness } from './fairness.js';
import { fastRecovery } from './fast-recovery.js';
import { fastRetransmit } from './fast-retransmit.js';
import { handshake } from './handshake.js';
import { keepalive } from './keepalive.js';
import { nagle } from './nagle.js';
import { pmtu } from './pmtu.js';
import { slidingWindow } from './sliding-window.js';
import { slowStart } from './slow-start.js';
import { synFlood } from './syn-flood.js';
import { textbookCongestion } from './textbook-congestion.js';
import { timeWait } from './time-wait.js';
import { whyThreeWay } from './why-three-way.js';
import { zeroWindow } from './zero-window.js';

export type { Scenario, ScenarioContext, ScenarioOutcome } from './scenario.js';

/** Every scenario `synack scenario` knows, in the seed's order. */
export const SCENARIOS: Scenario[] = [
  handshake,
  whyThreeWay,
  close,
  timeWait,
  keepalive,
  synFlood,
  acceptOverflow,
  slidingWindow,
  zeroWindow,
  slowStart,
  congestionAvoidance,
  fastRetransmit,
  fastRecovery,
  textbookCongestion,
  fairness,
  nagle,
  delayedAck,
  pmtu,
];
