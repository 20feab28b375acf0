/**
 * Endpoint labels come from different recorders ("client", "client 10.0.0.1:40000", "10.0.0.1:40000"),
 * so two labels name the same endpoint when one's words are all among the other's.
 */
export function sameEndpoint(a: string, b: string): boolean {
  if (a === b) return a.trim().length > 0;
  const wa = words(a);
  const wb = words(b);
  if (wa.length === 0 || wb.length === 0) return false;
  const [small, big] = wa.length <= wb.length ? [wa, wb] : [wb, wa];
  return small.every((w) => big.includes(w));
}

const cache = new Map<string, string[]>();

/** A run has a handful of labels and hundreds of thousands of segments: split each label once. */
function words(s: string): string[] {
  let w = cache.get(s);
  if (w) return w;
  if (cache.size > 10_000) cache.clear();
  w = s
    .toLowerCase()
    .trim()
    .split(/\s+/)
    .filter((x) => x.length > 0);
  cache.set(s, w);
  return w;
}
