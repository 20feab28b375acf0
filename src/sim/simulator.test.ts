import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Rng } from './rng.js';
import { Simulator } from './simulator.js';

test('events run in time order, ties in scheduling order, cancelled ones never', () => {
  const sim = new Simulator({ seed: 1 });
  const seen: string[] = [];
  sim.at(20, () => seen.push('c'));
  sim.at(10, () => seen.push('a'));
  sim.at(10, () => seen.push('b'));
  const t = sim.at(15, () => seen.push('x'));
  t.cancel();
  sim.at(10, () => sim.after(5, () => seen.push('d')));
  sim.run();
  assert.deepEqual(seen, ['a', 'b', 'd', 'c']);
  assert.equal(sim.now(), 20);
});

test('moving a timer (pending or run) orders it exactly as cancelling it and scheduling anew', () => {
  // Ops: [kind, timer, time]: 0 = schedule a new timer, 1 = move timer k, 2 = run one event.
  const op = fc.tuple(
    fc.integer({ min: 0, max: 2 }),
    fc.integer({ min: 0, max: 7 }),
    fc.integer({ min: 0, max: 40 }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
      const play = (useMove: boolean): string[] => {
        const sim = new Simulator({ seed: 3 });
        const seen: string[] = [];
        const timers: { t: ReturnType<Simulator['at']>; id: number }[] = [];
        let n = 0;
        const fire = (id: number) => () => seen.push(`${id}@${sim.now()}`);
        for (const [kind, k, dt] of ops) {
          if (kind === 0 || timers.length === 0) {
            const id = n++;
            timers.push({ t: sim.at(sim.now() + dt, fire(id)), id });
          } else if (kind === 1) {
            const slot = timers[k % timers.length] as { t: ReturnType<Simulator['at']>; id: number };
            if (!useMove || !sim.move(slot.t, sim.now() + dt)) {
              slot.t.cancel();
              slot.t = sim.at(sim.now() + dt, fire(slot.id));
            }
          } else {
            sim.step();
          }
        }
        sim.run();
        return seen;
      };
      assert.deepEqual(play(true), play(false));
    }),
  );
});

test('a move made later with a place reserved earlier ranks as the move made then', () => {
  // Ops: [kind, timer, time]: 0 = schedule a new timer, 1 = move timer k (deferred: a place is
  // reserved now, the move made at the next flush), 2 = flush and run one event.
  const op = fc.tuple(
    fc.integer({ min: 0, max: 2 }),
    fc.integer({ min: 0, max: 7 }),
    fc.integer({ min: 0, max: 40 }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
      const play = (defer: boolean): string[] => {
        const sim = new Simulator({ seed: 3 });
        const seen: string[] = [];
        const timers: { t: ReturnType<Simulator['at']>; id: number; at: number; ticket: number }[] = [];
        let n = 0;
        const fire = (id: number) => () => seen.push(`${id}@${sim.now()}`);
        const flush = (): void => {
          for (const x of timers) {
            if (x.ticket >= 0) assert.ok(sim.moveReserved(x.t, x.at, x.ticket));
            x.ticket = -1;
          }
        };
        for (const [kind, k, dt] of ops) {
          if (kind === 0 || timers.length === 0) {
            const id = n++;
            timers.push({ t: sim.at(sim.now() + dt, fire(id)), id, at: 0, ticket: -1 });
          } else if (kind === 1) {
            const slot = timers[k % timers.length] as (typeof timers)[number];
            if (defer) {
              slot.at = sim.now() + dt;
              slot.ticket = sim.reserve();
            } else assert.ok(sim.move(slot.t, sim.now() + dt));
          } else {
            flush();
            sim.step();
          }
        }
        flush();
        sim.run();
        return seen;
      };
      assert.deepEqual(play(true), play(false));
    }),
  );
});

test('the heap pops any schedule in (time, order) order', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.boolean())), (evs) => {
      const sim = new Simulator({ seed: 2 });
      const got: [number, number][] = [];
      evs.forEach(([t, cancel], i) => {
        const h = sim.at(t, () => got.push([t, i]));
        if (cancel) h.cancel();
      });
      sim.run();
      const want = evs
        .map(([t, c], i) => [t, i, c] as const)
        .filter(([, , c]) => !c)
        .map(([t, i]) => [t, i] as [number, number])
        .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      assert.deepEqual(got, want);
    }),
  );
});

test('a sparse simulated minute processes only its events', () => {
  const sim = new Simulator({ seed: 3 });
  let ticks = 0;
  const tick = () => {
    ticks++;
    if (sim.now() < 60e6) sim.after(1e6, tick);
  };
  sim.at(0, tick);
  const r = sim.run();
  assert.equal(ticks, 61);
  assert.equal(r.events, 61);
  assert.equal(sim.now(), 60e6);
});

test('runFor, runUntil and until stop at the right virtual time', () => {
  const sim = new Simulator({ seed: 4 });
  let n = 0;
  for (let i = 1; i <= 10; i++) sim.at(i * 1000, () => n++);
  sim.runFor(3500);
  assert.equal(n, 3);
  assert.equal(sim.now(), 3500);
  assert.ok(sim.runUntil(() => n === 6, 1e6));
  assert.equal(sim.now(), 6000);
  assert.equal(
    sim.runUntil(() => n === 100, 10_000),
    false,
  );
  assert.equal(sim.now(), 16000);
});

test('an exception names the seed and the time', () => {
  const sim = new Simulator({ seed: 99 });
  sim.at(1_500_000, () => {
    throw new Error('boom');
  });
  assert.throws(() => sim.run(), /boom \(seed 99 at t=1\.500000 s; run again with the same seed/);
});

test('Rng: same seed same stream, forks independent and stable', () => {
  const a = new Rng(7);
  const b = new Rng(7);
  const xs = Array.from({ length: 5 }, () => a.nextU32());
  assert.deepEqual(
    xs,
    Array.from({ length: 5 }, () => b.nextU32()),
  );
  assert.notDeepEqual(
    Array.from({ length: 5 }, () => new Rng(8).nextU32()),
    xs,
  );
  const f1 = new Rng(7).fork('link');
  const f2 = new Rng(7).fork('link');
  assert.equal(f1.nextU32(), f2.nextU32());
  assert.notEqual(new Rng(7).fork('a').nextU32(), new Rng(7).fork('b').nextU32());
  const r = new Rng(5);
  let sum = 0;
  for (let i = 0; i < 10000; i++) sum += r.next();
  assert.ok(Math.abs(sum / 10000 - 0.5) < 0.02);
});
