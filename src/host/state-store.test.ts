import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StateStore } from './state-store.js';

class Part {
  n = 0;
  neg = -1;
  f = 0.5;
  buf = new Uint8Array(8);
  list: number[] = [];
}

class Root {
  seq = 0;
  state = 'ESTABLISHED';
  until = Infinity;
  flag = false;
  readonly part = new Part();
  readonly back: { root: Root };
  constructor(readonly env: object) {
    this.back = { root: this };
  }
}

test('a packed graph is rebuilt with every leaf, shared object and back-reference in place', () => {
  const env = { host: 'shared' };
  const store = new StateStore(new Set([env]));
  const first = new Root(env);
  first.part.list = [0, 0, 0];
  assert.equal(store.pack(first) % 8, 0, 'the first root becomes template 0');
  const r = new Root(env);
  r.seq = 0xfffffff0;
  r.state = 'CLOSE-WAIT';
  r.until = 12.25;
  r.flag = true;
  r.part.n = 7;
  r.part.neg = -5;
  r.part.f = -3.75;
  r.part.list = [1, 2, 3];
  const slot = store.pack(r);
  assert.equal(slot % 8, 0, 'packed against template 0, as its difference');
  assert.ok(store.wordsInUse > 10);
  const w = store.unpack(slot) as Root;
  assert.ok(w instanceof Root && w !== r);
  assert.deepEqual(
    [w.seq, w.state, w.until, w.flag, w.part.n, w.part.neg, w.part.f, w.part.list],
    [0xfffffff0, 'CLOSE-WAIT', 12.25, true, 7, -5, -3.75, [1, 2, 3]],
  );
  assert.equal(w.env, env);
  assert.equal(w.back.root, w);
  assert.ok(w.part instanceof Part && w.part.buf instanceof Uint8Array && w.part.buf.length === 8);
  assert.notEqual(w.part.buf, r.part.buf);
  assert.equal(store.wordsInUse, 1, 'only the first (template) record is left');
});

test('what the walk cannot rebuild is refused and left alone', () => {
  const store = new StateStore(new Set());
  const withMap = { m: new Map([[1, 2]]) };
  assert.equal(store.pack(withMap), -1);
  const aliasing = { a: new Uint8Array(4), b: null as Uint8Array | null };
  aliasing.b = new Uint8Array(aliasing.a.buffer);
  assert.equal(store.pack(aliasing), -1);
  assert.equal(store.wordsInUse, 0);
});
