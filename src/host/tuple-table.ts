import type { FourTuple } from '../tcp/env.js';

/**
 * Connections keyed by their 4-tuple. A 4-tuple is 96 bits, more than a JS number holds, so it is
 * hashed to 32 bits with a per-host random seed (so an attacker cannot aim at one bucket, as
 * Linux keys its ehash with a secret) and collisions are resolved by comparing tuples. Lookups
 * allocate nothing.
 */
export interface HasTuple {
  readonly tuple: FourTuple;
}

export class TupleTable<T extends HasTuple> {
  private readonly map = new Map<number, T | T[]>();
  private count = 0;

  constructor(private readonly seed: number) {}

  get size(): number {
    return this.count;
  }

  hash(localAddr: number, localPort: number, remoteAddr: number, remotePort: number): number {
    let h = this.seed ^ 0x9e3779b9;
    h = Math.imul(h ^ localAddr, 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13) ^ remoteAddr, 0xc2b2ae35);
    h = Math.imul(h ^ (h >>> 16) ^ ((localPort << 16) | remotePort), 0x27d4eb2f);
    return (h ^ (h >>> 15)) >>> 0;
  }

  get(localAddr: number, localPort: number, remoteAddr: number, remotePort: number): T | undefined {
    const b = this.map.get(this.hash(localAddr, localPort, remoteAddr, remotePort));
    if (b === undefined) return undefined;
    if (!Array.isArray(b)) return matches(b, localAddr, localPort, remoteAddr, remotePort) ? b : undefined;
    for (const e of b) if (matches(e, localAddr, localPort, remoteAddr, remotePort)) return e;
    return undefined;
  }

  has(t: FourTuple): boolean {
    return this.get(t.localAddr, t.localPort, t.remoteAddr, t.remotePort) !== undefined;
  }

  /** Insert; returns false (and changes nothing) if the tuple is already present. */
  add(e: T): boolean {
    const t = e.tuple;
    const h = this.hash(t.localAddr, t.localPort, t.remoteAddr, t.remotePort);
    const b = this.map.get(h);
    if (b === undefined) {
      this.map.set(h, e);
    } else if (Array.isArray(b)) {
      if (b.some((x) => sameTuple(x.tuple, t))) return false;
      b.push(e);
    } else {
      if (sameTuple(b.tuple, t)) return false;
      this.map.set(h, [b, e]);
    }
    this.count++;
    return true;
  }

  /** Remove this exact entry; returns whether it was present. */
  delete(e: T): boolean {
    const t = e.tuple;
    const h = this.hash(t.localAddr, t.localPort, t.remoteAddr, t.remotePort);
    const b = this.map.get(h);
    if (b === undefined) return false;
    if (!Array.isArray(b)) {
      if (b !== e) return false;
      this.map.delete(h);
    } else {
      const i = b.indexOf(e);
      if (i < 0) return false;
      b.splice(i, 1);
      if (b.length === 1) this.map.set(h, b[0] as T);
    }
    this.count--;
    return true;
  }

  *values(): IterableIterator<T> {
    for (const b of this.map.values()) {
      if (Array.isArray(b)) yield* b;
      else yield b;
    }
  }
}

function matches(e: HasTuple, la: number, lp: number, ra: number, rp: number): boolean {
  const t = e.tuple;
  return t.localPort === lp && t.remotePort === rp && t.localAddr === la && t.remoteAddr === ra;
}

function sameTuple(a: FourTuple, b: FourTuple): boolean {
  return (
    a.localPort === b.localPort &&
    a.remotePort === b.remotePort &&
    a.localAddr === b.localAddr &&
    a.remoteAddr === b.remoteAddr
  );
}
