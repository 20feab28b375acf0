import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DeadlineHeap } from './deadline-heap.js';

class E {
  heapIndex = -1;
  constructor(
    public id: number,
    public nextDeadline: number,
  ) {}
}

test('pops entries in deadline order after arbitrary moves and removals', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 1000 }), fc.boolean()), {
        maxLength: 200,
      }),
      (ops) => {
        const heap = new DeadlineHeap<E>();
        const entries = Array.from({ length: 31 }, (_, i) => new E(i, Infinity));
        for (const [id, d, del] of ops) {
          const e = entries[id] as E;
          e.nextDeadline = del ? Infinity : d;
          heap.update(e);
        }
        const expected = entries
          .filter((e) => e.nextDeadline !== Infinity)
          .map((e) => e.nextDeadline)
          .sort((a, b) => a - b);
        const got: number[] = [];
        for (let e = heap.popDue(Infinity); e; e = heap.popDue(Infinity)) got.push(e.nextDeadline);
        assert.deepEqual(got, expected);
        assert.ok(entries.every((e) => e.heapIndex === -1));
      },
    ),
  );
});

test('popDue leaves entries that are not yet due', () => {
  const heap = new DeadlineHeap<E>();
  const a = new E(1, 100);
  const b = new E(2, 50);
  heap.update(a);
  heap.update(b);
  assert.equal(heap.peekDeadline(), 50);
  assert.equal(heap.popDue(49), undefined);
  assert.equal(heap.popDue(60), b);
  assert.equal(heap.popDue(60), undefined);
  assert.equal(heap.size, 1);
});
