/**
 * Packs an object graph (an idle connection and everything it owns) into a few words of a shared
 * typed array, as its difference from a template graph of the same shape, and rebuilds it exactly.
 *
 * The walk is generic, so a field added to the engine later is packed without anyone remembering
 * to: every own property of every object the root owns is visited in order. A leaf (number,
 * string, boolean, null, undefined) equal to the template's costs nothing; one that differs costs
 * one word for its position and one or two for its value. An object is either shared (the host
 * and its settings, named by the caller; anything frozen; an empty typed array, which nothing can
 * write) and then must be the very object the template has there, kept by reference; or a
 * back-reference to an object met earlier in the walk (the connection itself); or an object of its
 * own with the template's prototype and keys, walked in turn (storage arrays: see sameStorage).
 * Anything the walk cannot rebuild exactly (maps, sets, functions of its own, a shape no template
 * has) makes pack() refuse, and the caller keeps the object as it is: packing is only ever an optimisation.
 *
 * Templates are roots that were packed earlier (the first of each shape, up to MAX_TEMPLATES):
 * nothing references them after packing, so they never change.
 */

const MAX_TEMPLATES = 8;
/** Leaf kinds in an entry's low two bits. */
const U32 = 0;
const CONST = 1;
const F64 = 2;

type Obj = Record<string, unknown>;

const f64 = new Float64Array(1);
const f64Words = new Uint32Array(f64.buffer);

/**
 * A connection's own storage array (a send or receive ring, the scoreboard's columns) is packed as
 * its type and length only, and rebuilt zero-filled: hibernation only packs a connection whose
 * queues are empty, and the engine reads these arrays only within the live region its counters
 * delimit, so the stale bytes beyond are never read. A view must be the whole of its own buffer
 * (no aliasing another field), of the template's type and length.
 */
function sameStorage(a: object, b: object, seen: Map<object, object>): boolean {
  if (!ArrayBuffer.isView(a) || !ArrayBuffer.isView(b) || a instanceof DataView) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b) || a.byteLength !== b.byteLength) return false;
  if (a.byteOffset !== 0 || a.byteLength !== a.buffer.byteLength) return false;
  for (const x of seen.keys()) if (ArrayBuffer.isView(x) && x.buffer === a.buffer) return false;
  return true;
}

function isPlainOwnable(o: object): boolean {
  if (typeof o === 'function' || ArrayBuffer.isView(o) || o instanceof ArrayBuffer) return false;
  if (o instanceof Map || o instanceof Set || o instanceof WeakMap || o instanceof Promise) return false;
  if (o instanceof Date || o instanceof RegExp || o instanceof Error) return false;
  return !Object.isFrozen(o) && Object.getOwnPropertySymbols(o).length === 0;
}

export class StateStore {
  private readonly templates: Obj[] = [];
  /** Leaves that are not 32-bit unsigned integers or plain floats: strings, booleans, -1, Infinity… */
  private readonly consts: unknown[] = [];
  private readonly constIds = new Map<unknown, number>();
  private words = new Uint32Array(4096);
  private top = 0;
  /** Freed records by length, reused before the arena grows. */
  private readonly free = new Map<number, number[]>();
  // Scratch for one pack: the leaf entries.
  private readonly entries: number[] = [];
  private leafIndex = 0;

  /**
   * `external`: objects a graph may reference but does not own (the host, its settings).
   * `blank`: a fresh object like the template root, made by its constructor, or null. Rebuilt
   * objects are filled into it and into the class instances its constructor made, so they keep
   * V8's fast shape of constructed objects (an object rebuilt property by property from
   * Object.create has a slow dictionary shape past a dozen properties: its engine code then ran at
   * half speed).
   */
  constructor(
    private readonly external: ReadonlySet<object>,
    private readonly blank: (template: object) => object | null = () => null,
  ) {}

  /**
   * `x` (from a fresh constructor) may be filled in place of template object `b`: an instance of
   * the same class (not a plain object or array, which may be a shared constant), not yet used,
   * with the same keys.
   */
  private fillable(x: unknown, b: object, made: Map<object, object>): Obj | null {
    if (typeof x !== 'object' || x === null || ArrayBuffer.isView(x) || this.shared(x)) return null;
    const p = Object.getPrototypeOf(x) as object | null;
    if (p !== Object.getPrototypeOf(b) || p === Object.prototype || p === Array.prototype || p === null)
      return null;
    for (const v of made.values()) if (v === x) return null;
    const kx = Object.keys(x);
    const kb = Object.keys(b);
    if (kx.length !== kb.length) return null;
    for (let i = 0; i < kx.length; i++) if (kx[i] !== kb[i]) return null;
    return x as Obj;
  }

  private shared(o: object): boolean {
    return this.external.has(o) || Object.isFrozen(o) || (ArrayBuffer.isView(o) && o.byteLength === 0);
  }

  /** Words of the arena in use (for tests and measurements). */
  get wordsInUse(): number {
    let freeWords = 0;
    for (const [len, list] of this.free) freeWords += len * list.length;
    return this.top - freeWords;
  }

  /**
   * Pack `root`; returns its slot (the record's offset and the template's number in one number),
   * or -1 when the graph has a part the walk cannot rebuild (then nothing is stored and `root` is
   * untouched).
   */
  pack(root: object): number {
    const r = root as Obj;
    for (let i = 0; i < this.templates.length; i++) {
      const t = this.templates[i] as Obj;
      if (this.diffRoot(r, t)) return this.store() * MAX_TEMPLATES + i;
    }
    if (this.templates.length >= MAX_TEMPLATES) return -1;
    // A new shape: the root itself becomes its template, provided the walk can rebuild it.
    if (!this.diffRoot(r, r)) return -1;
    this.templates.push(r);
    return this.store() * MAX_TEMPLATES + this.templates.length - 1;
  }

  /** Rebuild the graph packed in `slot` (from pack), and free the record. */
  unpack(slot: number): object {
    const t = this.templates[slot % MAX_TEMPLATES] as Obj;
    const at = Math.floor(slot / MAX_TEMPLATES);
    const w = this.words;
    const len = w[at] as number;
    const cursor = { entry: at + 1, end: at + len, leaf: 0 };
    const made = new Map<object, object>();
    const root = this.build(t, made, cursor, this.fillable(this.blank(t), t, made));
    this.release(at);
    return root;
  }

  /** Forget a record without rebuilding it. */
  private release(at: number): void {
    const len = this.words[at] as number;
    let list = this.free.get(len);
    if (!list) this.free.set(len, (list = []));
    list.push(at);
  }

  private diffRoot(r: Obj, t: Obj): boolean {
    this.entries.length = 0;
    this.leafIndex = 0;
    const seen = new Map<object, object>();
    const seenT = new Set<object>();
    return this.diff(r, t, seen, seenT);
  }

  private diff(v: Obj, t: Obj, seen: Map<object, object>, seenT: Set<object>): boolean {
    if (Object.getPrototypeOf(v) !== Object.getPrototypeOf(t) || !isPlainOwnable(v)) return false;
    if (Array.isArray(v) && v.length !== (t as unknown as unknown[]).length) return false;
    seen.set(v, t);
    seenT.add(t);
    const kv = Object.keys(v);
    const kt = Object.keys(t);
    if (kv.length !== kt.length) return false;
    for (let i = 0; i < kv.length; i++) {
      const k = kv[i] as string;
      if (k !== kt[i]) return false;
      const a = v[k];
      const b = t[k];
      const bObj = typeof b === 'object' && b !== null;
      const aObj = typeof a === 'object' && a !== null;
      if (typeof a === 'function' || typeof b === 'function') {
        if (a !== b) return false;
        continue;
      }
      if (!aObj && !bObj) {
        const idx = this.leafIndex++;
        if (!Object.is(a, b)) this.leaf(idx, a);
        continue;
      }
      if (aObj !== bObj) return false;
      const ao = a as Obj;
      const bo = b as Obj;
      if (seenT.has(bo)) {
        // Met before in the template's walk: must be the same back-reference here.
        if (seen.get(ao) !== bo) return false;
        continue;
      }
      if (seen.has(ao)) return false;
      if (this.shared(bo) || this.shared(ao)) {
        if (ao !== bo) return false;
        seen.set(ao, bo);
        seenT.add(bo);
        continue;
      }
      if (ArrayBuffer.isView(ao) || ArrayBuffer.isView(bo)) {
        if (!sameStorage(ao, bo, seen)) return false;
        seen.set(ao, bo);
        seenT.add(bo);
        continue;
      }
      if (!this.diff(ao, bo, seen, seenT)) return false;
    }
    return true;
  }

  private leaf(idx: number, a: unknown): void {
    const e = this.entries;
    if (typeof a === 'number' && Number.isInteger(a) && a >= 0 && a <= 0xffffffff) {
      e.push(idx * 4 + U32, a);
      return;
    }
    if (typeof a !== 'number' || !Number.isFinite(a) || (Number.isInteger(a) && a > -65536 && a < 0)) {
      let id = this.constIds.get(a);
      if (id === undefined) {
        id = this.consts.length;
        this.consts.push(a);
        this.constIds.set(a, id);
      }
      e.push(idx * 4 + CONST, id);
      return;
    }
    f64[0] = a;
    e.push(idx * 4 + F64, f64Words[0] as number, f64Words[1] as number);
  }

  private store(): number {
    const len = 1 + this.entries.length;
    const at = this.alloc(len);
    const w = this.words;
    w[at] = len;
    for (let i = 0; i < this.entries.length; i++) w[at + 1 + i] = this.entries[i] as number;
    return at;
  }

  private alloc(len: number): number {
    const list = this.free.get(len);
    if (list && list.length > 0) return list.pop() as number;
    if (this.top + len > this.words.length) {
      const nw = new Uint32Array(Math.max(this.words.length * 2, this.top + len));
      nw.set(this.words.subarray(0, this.top));
      this.words = nw;
    }
    const at = this.top;
    this.top += len;
    return at;
  }

  private build(
    t: Obj,
    made: Map<object, object>,
    c: { entry: number; end: number; leaf: number },
    into: Obj | null,
  ): Obj {
    const o =
      into ?? ((Array.isArray(t) ? [] : Object.create(Object.getPrototypeOf(t) as object | null)) as Obj);
    made.set(t, o);
    const w = this.words;
    for (const k of Object.keys(t)) {
      const b = t[k];
      if (typeof b === 'object' && b !== null) {
        const m = made.get(b);
        if (m !== undefined) {
          o[k] = m;
          continue;
        }
        if (this.shared(b)) {
          made.set(b, b);
          o[k] = b;
        } else if (ArrayBuffer.isView(b)) {
          const fresh = new (b.constructor as new (n: number) => ArrayBufferView)(
            (b as unknown as { length: number }).length,
          );
          made.set(b, fresh);
          o[k] = fresh;
        } else {
          o[k] = this.build(b as Obj, made, c, this.fillable(o[k], b, made));
        }
        continue;
      }
      if (typeof b === 'function') {
        o[k] = b;
        continue;
      }
      const idx = c.leaf++;
      if (c.entry < c.end && (w[c.entry] as number) >>> 2 === idx) {
        const kind = (w[c.entry] as number) & 3;
        if (kind === U32) o[k] = w[c.entry + 1];
        else if (kind === CONST) o[k] = this.consts[w[c.entry + 1] as number];
        else {
          f64Words[0] = w[c.entry + 1] as number;
          f64Words[1] = w[c.entry + 2] as number;
          o[k] = f64[0];
        }
        c.entry += kind === F64 ? 3 : 2;
      } else {
        o[k] = b;
      }
    }
    return o;
  }
}
