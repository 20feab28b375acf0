import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TupleTable } from './tuple-table.js';

const tupleArb = fc.record({
  localAddr: fc.integer({ min: 0, max: 0xffffffff }),
  localPort: fc.integer({ min: 0, max: 0xffff }),
  remoteAddr: fc.integer({ min: 0, max: 0xffffffff }),
  remotePort: fc.integer({ min: 0, max: 0xffff }),
});

test('behaves like a set of distinct tuples', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(tupleArb, fc.boolean()), { maxLength: 100 }), fc.integer(), (ops, seed) => {
      const table = new TupleTable<{ tuple: (typeof ops)[0][0] }>(seed);
      const model = new Map<string, { tuple: (typeof ops)[0][0] }>();
      for (const [t, del] of ops) {
        const k = JSON.stringify(t);
        if (del) {
          const e = model.get(k);
          if (e) {
            assert.ok(table.delete(e));
            model.delete(k);
          }
        } else {
          const e = { tuple: t };
          assert.equal(table.add(e), !model.has(k));
          if (!model.has(k)) model.set(k, e);
        }
      }
      assert.equal(table.size, model.size);
      for (const e of model.values()) {
        const t = e.tuple;
        assert.equal(table.get(t.localAddr, t.localPort, t.remoteAddr, t.remotePort), e);
      }
      assert.equal([...table.values()].length, model.size);
    }),
  );
});

test('colliding hashes are told apart by the tuple', () => {
  const table = new TupleTable<{
    tuple: { localAddr: number; localPort: number; remoteAddr: number; remotePort: number };
  }>(1);
  // Force collisions by overriding the hash.
  table.hash = () => 7;
  const a = { tuple: { localAddr: 1, localPort: 2, remoteAddr: 3, remotePort: 4 } };
  const b = { tuple: { localAddr: 1, localPort: 2, remoteAddr: 3, remotePort: 5 } };
  assert.ok(table.add(a));
  assert.ok(table.add(b));
  assert.equal(table.get(1, 2, 3, 4), a);
  assert.equal(table.get(1, 2, 3, 5), b);
  assert.ok(table.delete(a));
  assert.equal(table.get(1, 2, 3, 4), undefined);
  assert.equal(table.get(1, 2, 3, 5), b);
});
