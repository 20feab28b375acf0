import { prefixMask } from '../wire/ipv4-addr.js';

export interface Route<I> {
  dest: number;
  prefixLen: number;
  /** Next hop, or 0 for a connected route (deliver directly). */
  gateway: number;
  iface: I;
}

/** Longest-prefix-match routing table (RFC 1812 §5.2.4.3). */
export class RoutingTable<I> {
  private routes: Route<I>[] = [];

  add(r: Route<I>): void {
    const dest = (r.dest & prefixMask(r.prefixLen)) >>> 0;
    this.routes = this.routes.filter((x) => !(x.dest === dest && x.prefixLen === r.prefixLen));
    this.routes.push({ ...r, dest });
    // Longest prefix first, so the first match is the best.
    this.routes.sort((a, b) => b.prefixLen - a.prefixLen);
  }

  lookup(dst: number): { iface: I; nextHop: number } | null {
    for (const r of this.routes) {
      if ((dst & prefixMask(r.prefixLen)) >>> 0 === r.dest)
        return { iface: r.iface, nextHop: r.gateway || dst };
    }
    return null;
  }

  /** The route lookup() would follow, itself (no object made: the per-packet send path's). */
  match(dst: number): Route<I> | null {
    const routes = this.routes;
    for (let i = 0; i < routes.length; i++) {
      const r = routes[i] as Route<I>;
      if ((dst & prefixMask(r.prefixLen)) >>> 0 === r.dest) return r;
    }
    return null;
  }

  list(): readonly Route<I>[] {
    return this.routes;
  }
}
