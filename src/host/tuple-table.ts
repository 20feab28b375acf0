import type { FourTuple } from '../tcp/env.js';
import { TimeWaitConnection } from '../tcp/time-wait.js';
import { HibernatedConnection } from './hibernated.js';

/**
 * Connections keyed by their 4-tuple. A 4-tuple is 96 bits, more than a JS number holds, so it is
 * hashed to 32 bits with a per-host random seed (so an attacker cannot aim at one bucket, as
 * Linux keys its ehash with a secret) and collisions are resolved by comparing tuples. Lookups
 * allocate nothing. An entry may be a HibernatedConnection standing for an idle connection: get()
 * and values() wake it first (through `wake`), so callers only ever see live entries. An entry may
 * also be a TimeWaitConnection, what is left of a connection nobody holds in TIME-WAIT (Linux's
 * timewait socks): it is no connection, so values() passes over it; get() and entries() give it.
 */
export interface HasTuple {
  readonly tuple: FourTuple;
}

type Entry<T> = T | HibernatedConnection | TimeWaitConnection;

export class TupleTable<T extends HasTuple> {
  private readonly map = new Map<number, Entry<T> | Entry<T>[]>();
  private count = 0;

  constructor(
    private readonly seed: number,
    private readonly wake: (h: HibernatedConnection) => T = () => {
      throw new Error('tuple table: nothing wakes hibernated entries');
    },
  ) {}

  get size(): number {
    return this.count;
  }

  hash(localAddr: number, localPort: number, remoteAddr: number, remotePort: number): number {
    let h = this.seed ^ 0x9e3779b9;
    h = Math.imul(h ^ localAddr, 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13) ^ remoteAddr, 0xc2b2ae35);
    h = Math.imul(h ^ (h >>> 16) ^ ((localPort << 16) | remotePort), 0x27d4eb2f);
    // A signed 32-bit key is a small integer to V8 (unsigned, half the keys would be boxed numbers).
    return h ^ (h >>> 15);
  }

  get(
    localAddr: number,
    localPort: number,
    remoteAddr: number,
    remotePort: number,
  ): T | TimeWaitConnection | undefined {
    const e = this.peek(localAddr, localPort, remoteAddr, remotePort);
    return e === undefined ? undefined : this.live(e);
  }

  /** The entry for a 4-tuple, hibernated or not (waking nothing): for "is it in use" questions. */
  peek(localAddr: number, localPort: number, remoteAddr: number, remotePort: number): Entry<T> | undefined {
    const b = this.map.get(this.hash(localAddr, localPort, remoteAddr, remotePort));
    if (b === undefined) return undefined;
    if (!Array.isArray(b)) return matches(b, localAddr, localPort, remoteAddr, remotePort) ? b : undefined;
    for (const e of b) if (matches(e, localAddr, localPort, remoteAddr, remotePort)) return e;
    return undefined;
  }

  has(t: FourTuple): boolean {
    return this.peek(t.localAddr, t.localPort, t.remoteAddr, t.remotePort) !== undefined;
  }

  private live(e: Entry<T>): T | TimeWaitConnection {
    return e instanceof HibernatedConnection ? this.wake(e) : e;
  }

  /** Put `next` (same 4-tuple) where `prev` is, keeping the count: hibernating and waking. */
  replace(prev: Entry<T>, next: Entry<T>): void {
    const t = prev.tuple;
    const h = this.hash(t.localAddr, t.localPort, t.remoteAddr, t.remotePort);
    const b = this.map.get(h);
    if (b === prev) {
      this.map.set(h, next);
    } else if (Array.isArray(b)) {
      const i = b.indexOf(prev);
      if (i >= 0) b[i] = next;
    }
  }

  /** Insert; returns false (and changes nothing) if the tuple is already present. */
  add(e: Entry<T>): boolean {
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
  delete(e: T | TimeWaitConnection): boolean {
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

  /** Every entry's 4-tuple, waking nothing (for questions about ports in use). */
  *tuples(): IterableIterator<FourTuple> {
    for (const b of this.map.values()) {
      if (Array.isArray(b)) {
        for (const e of b) yield e.tuple;
      } else {
        yield b.tuple;
      }
    }
  }

  /**
   * Every entry, hibernated ones woken first (waking replaces an entry in place: safe here),
   * TIME-WAIT records included.
   */
  *entries(): IterableIterator<T | TimeWaitConnection> {
    for (const b of this.map.values()) {
      if (Array.isArray(b)) {
        for (let i = 0; i < b.length; i++) yield this.live(b[i] as Entry<T>);
      } else {
        yield this.live(b);
      }
    }
  }

  /** Every connection (entries() without the TIME-WAIT records). */
  *values(): IterableIterator<T> {
    for (const e of this.entries()) if (!(e instanceof TimeWaitConnection)) yield e;
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
