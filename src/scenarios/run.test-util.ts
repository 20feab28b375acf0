import assert from 'node:assert/strict';
import { flatCounters } from '../host/counters.js';
import type { Host } from '../host/host.js';
import type { Scenario } from './scenario.js';

/** Run a scenario in-process as `synack scenario NAME --seed N --set …` would. */
export function runScenario(sc: Scenario, settings: Record<string, string> = {}, seed = 1) {
  const out = sc.run({ seed, settings, progress: () => {} });
  const replay = `replay: synack scenario ${sc.name} --seed ${seed}${Object.entries(settings)
    .map(([k, v]) => ` --set ${k}=${v}`)
    .join('')}`;
  const host = (name: string): Host => {
    const h = out.hosts.find((x) => x.name === name);
    assert.ok(h, `no host ${name}; ${replay}`);
    return h;
  };
  /** A figure of the result by dotted path ("lostAck.timeWaitSeconds"). */
  const get = (path: string): unknown => {
    let v: unknown = out.result;
    for (const k of path.split('.')) v = (v as Record<string, unknown> | undefined)?.[k];
    return v;
  };
  const num = (path: string): number => {
    const v = get(path);
    assert.equal(typeof v, 'number', `${path} is ${JSON.stringify(v)}; ${replay}`);
    return v as number;
  };
  const nums = (path: string): number[] => {
    const v = get(path);
    assert.ok(Array.isArray(v), `${path} is ${JSON.stringify(v)}; ${replay}`);
    return v as number[];
  };
  return { out, get, num, nums, host, counters: (name: string) => flatCounters(host(name).counters), replay };
}
