import { prefixMask } from '../wire/ipv4-addr.js';

export interface Route<I> {
  dest: number;
  prefixLen: number;
  /** Next hop, or 0 for a connected route (deliver directly). */
  gateway: number;
  iface: I;
}

/** What a lookup finds: the outgoing interface and the next hop. Shared between lookups: read only. */
export interface RouteMatch<I> {
  readonly iface: I;
  readonly nextHop: number;
}

/** Destinations remembered between changes; past this the cache starts over (a bound, not a tuning). */
const CACHE_MAX = 4096;

/**
 * Longest-prefix-match routing table (RFC 1812 §5.2.4.3). A router with an interface per host
 * would scan every route for each forwarded packet, so answers are cached per destination (as
 * Linux's FIB lookups are served from per-nexthop caches) until the table changes.
 */
export class RoutingTable<I> {
  private routes: Route<I>[] = [];
  private readonly cache = new Map<number, RouteMatch<I> | null>();

  add(r: Route<I>): void {
    const dest = (r.dest & prefixMask(r.prefixLen)) >>> 0;
    this.routes = this.routes.filter((x) => !(x.dest === dest && x.prefixLen === r.prefixLen));
    this.routes.push({ ...r, dest });
    // Longest prefix first, so the first match is the best.
    this.routes.sort((a, b) => b.prefixLen - a.prefixLen);
    this.cache.clear();
  }

  lookup(dst: number): RouteMatch<I> | null {
    const hit = this.cache.get(dst);
    if (hit !== undefined) return hit;
    const found = this.match(dst);
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(dst, found);
    return found;
  }

  private match(dst: number): RouteMatch<I> | null {
    for (const r of this.routes) {
      if ((dst & prefixMask(r.prefixLen)) >>> 0 === r.dest)
        return { iface: r.iface, nextHop: r.gateway || dst };
    }
    return null;
  }

  list(): readonly Route<I>[] {
    return this.routes;
  }
}
