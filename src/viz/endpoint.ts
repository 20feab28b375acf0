/**
 * Endpoint labels come from different recorders ("client", "client 10.0.0.1:40000", "10.0.0.1:40000"),
 * so two labels name the same endpoint when one's words are all among the other's.
 */
export function sameEndpoint(a: string, b: string): boolean {
  const wa = words(a);
  const wb = words(b);
  if (wa.length === 0 || wb.length === 0) return false;
  const [small, big] = wa.length <= wb.length ? [wa, wb] : [wb, wa];
  return small.every((w) => big.includes(w));
}

function words(s: string): string[] {
  return s
    .toLowerCase()
    .trim()
    .split(/\s+/)
    .filter((w) => w.length > 0);
}
