/**
 * SipHash-2-4 (Aumasson and Bernstein, 2012) over 32-bit words, returning the 64-bit result as two
 * 32-bit halves. A keyed PRF: used for ISNs (RFC 6528), timestamp offsets, SYN cookies and port
 * selection, where outsiders must not predict values without the host's secret key.
 */

// State: four 64-bit words, each as (hi, lo) 32-bit halves.
const v = new Uint32Array(8);

function add(a: number, b: number): void {
  const lo = (v[a + 1] as number) + (v[b + 1] as number);
  v[a] = (v[a] as number) + (v[b] as number) + (lo > 0xffffffff ? 1 : 0);
  v[a + 1] = lo;
}

function rotl(a: number, n: number): void {
  const hi = v[a] as number;
  const lo = v[a + 1] as number;
  if (n === 32) {
    v[a] = lo;
    v[a + 1] = hi;
  } else if (n < 32) {
    v[a] = (hi << n) | (lo >>> (32 - n));
    v[a + 1] = (lo << n) | (hi >>> (32 - n));
  } else {
    const m = n - 32;
    v[a] = (lo << m) | (hi >>> (32 - m));
    v[a + 1] = (hi << m) | (lo >>> (32 - m));
  }
}

function xor(a: number, b: number): void {
  v[a] = (v[a] as number) ^ (v[b] as number);
  v[a + 1] = (v[a + 1] as number) ^ (v[b + 1] as number);
}

const V0 = 0;
const V1 = 2;
const V2 = 4;
const V3 = 6;

function round(): void {
  add(V0, V1);
  rotl(V1, 13);
  xor(V1, V0);
  rotl(V0, 32);
  add(V2, V3);
  rotl(V3, 16);
  xor(V3, V2);
  add(V0, V3);
  rotl(V3, 21);
  xor(V3, V0);
  add(V2, V1);
  rotl(V1, 17);
  xor(V1, V2);
  rotl(V2, 32);
}

function compress(hi: number, lo: number): void {
  v[V3] = (v[V3] as number) ^ hi;
  v[V3 + 1] = (v[V3 + 1] as number) ^ lo;
  round();
  round();
  v[V0] = (v[V0] as number) ^ hi;
  v[V0 + 1] = (v[V0 + 1] as number) ^ lo;
}

export interface SipKey {
  /** k0 and k1 as (hi, lo) halves. */
  k: Uint32Array;
}

/** A key from 16 bytes, little-endian as in the reference implementation. */
export function sipKey(bytes: Uint8Array): SipKey {
  const le = (i: number) =>
    ((bytes[i] as number) |
      ((bytes[i + 1] as number) << 8) |
      ((bytes[i + 2] as number) << 16) |
      ((bytes[i + 3] as number) << 24)) >>>
    0;
  return { k: Uint32Array.of(le(4), le(0), le(12), le(8)) };
}

const out = new Uint32Array(2);

/**
 * SipHash-2-4 of a byte string (reference semantics: little-endian 64-bit words, length in the
 * top byte of the last word). Returns [hi, lo] in a shared array: copy it before the next call.
 */
export function siphash24(key: SipKey, data: Uint8Array): Uint32Array {
  const k = key.k;
  v[V0] = (k[0] as number) ^ 0x736f6d65;
  v[V0 + 1] = (k[1] as number) ^ 0x70736575;
  v[V1] = (k[2] as number) ^ 0x646f7261;
  v[V1 + 1] = (k[3] as number) ^ 0x6e646f6d;
  v[V2] = (k[0] as number) ^ 0x6c796765;
  v[V2 + 1] = (k[1] as number) ^ 0x6e657261;
  v[V3] = (k[2] as number) ^ 0x74656462;
  v[V3 + 1] = (k[3] as number) ^ 0x79746573;
  const len = data.length;
  const full = len - (len % 8);
  const le = (i: number) =>
    ((data[i] as number) |
      ((data[i + 1] as number) << 8) |
      ((data[i + 2] as number) << 16) |
      ((data[i + 3] as number) << 24)) >>>
    0;
  for (let i = 0; i < full; i += 8) compress(le(i + 4), le(i));
  let lo = 0;
  let hi = (len & 255) << 24;
  for (let i = full; i < len; i++) {
    const byte = data[i] as number;
    const shift = (i - full) * 8;
    if (shift < 32) lo |= byte << shift;
    else hi |= byte << (shift - 32);
  }
  compress(hi >>> 0, lo >>> 0);
  v[V2 + 1] = (v[V2 + 1] as number) ^ 0xff;
  round();
  round();
  round();
  round();
  out[0] = (v[V0] as number) ^ (v[V1] as number) ^ (v[V2] as number) ^ (v[V3] as number);
  out[1] = (v[V0 + 1] as number) ^ (v[V1 + 1] as number) ^ (v[V2 + 1] as number) ^ (v[V3 + 1] as number);
  return out;
}

/**
 * SipHash of four 32-bit words (a 4-tuple, say), low 32 bits of the result: siphash24 of their 16
 * little-endian bytes, with the state in locals rather than the shared array (every connection
 * hashes three times: its ephemeral port, ISN and timestamp offset).
 */
export function siphashWords(key: SipKey, a: number, b: number, c: number, d: number): number {
  const k = key.k;
  let v0h = ((k[0] as number) ^ 0x736f6d65) | 0;
  let v0l = ((k[1] as number) ^ 0x70736575) | 0;
  let v1h = ((k[2] as number) ^ 0x646f7261) | 0;
  let v1l = ((k[3] as number) ^ 0x6e646f6d) | 0;
  let v2h = ((k[0] as number) ^ 0x6c796765) | 0;
  let v2l = ((k[1] as number) ^ 0x6e657261) | 0;
  let v3h = ((k[2] as number) ^ 0x74656462) | 0;
  let v3l = ((k[3] as number) ^ 0x79746573) | 0;
  // Message words (hi, lo): (b, a), (d, c), then the length word (16 << 24, 0); then finalization.
  for (let step = 0; step < 4; step++) {
    let mh = 0;
    let ml = 0;
    let rounds = 2;
    if (step === 0) {
      mh = b | 0;
      ml = a | 0;
    } else if (step === 1) {
      mh = d | 0;
      ml = c | 0;
    } else if (step === 2) {
      mh = 0x10000000;
    } else {
      v2l = (v2l ^ 0xff) | 0;
      rounds = 4;
    }
    v3h = (v3h ^ mh) | 0;
    v3l = (v3l ^ ml) | 0;
    for (let r = 0; r < rounds; r++) {
      let lo = (v0l + v1l) | 0; // add(V0, V1)
      v0h = (v0h + v1h + (lo >>> 0 < v0l >>> 0 ? 1 : 0)) | 0;
      v0l = lo;
      let t = v1h; // rotl(V1, 13)
      v1h = (t << 13) | (v1l >>> 19) | 0;
      v1l = (v1l << 13) | (t >>> 19) | 0;
      v1h = (v1h ^ v0h) | 0; // xor(V1, V0)
      v1l = (v1l ^ v0l) | 0;
      t = v0h; // rotl(V0, 32)
      v0h = v0l;
      v0l = t;
      lo = (v2l + v3l) | 0; // add(V2, V3)
      v2h = (v2h + v3h + (lo >>> 0 < v2l >>> 0 ? 1 : 0)) | 0;
      v2l = lo;
      t = v3h; // rotl(V3, 16)
      v3h = (t << 16) | (v3l >>> 16) | 0;
      v3l = (v3l << 16) | (t >>> 16) | 0;
      v3h = (v3h ^ v2h) | 0; // xor(V3, V2)
      v3l = (v3l ^ v2l) | 0;
      lo = (v0l + v3l) | 0; // add(V0, V3)
      v0h = (v0h + v3h + (lo >>> 0 < v0l >>> 0 ? 1 : 0)) | 0;
      v0l = lo;
      t = v3h; // rotl(V3, 21)
      v3h = (t << 21) | (v3l >>> 11) | 0;
      v3l = (v3l << 21) | (t >>> 11) | 0;
      v3h = (v3h ^ v0h) | 0; // xor(V3, V0)
      v3l = (v3l ^ v0l) | 0;
      lo = (v2l + v1l) | 0; // add(V2, V1)
      v2h = (v2h + v1h + (lo >>> 0 < v2l >>> 0 ? 1 : 0)) | 0;
      v2l = lo;
      t = v1h; // rotl(V1, 17)
      v1h = (t << 17) | (v1l >>> 15) | 0;
      v1l = (v1l << 17) | (t >>> 15) | 0;
      v1h = (v1h ^ v2h) | 0; // xor(V1, V2)
      v1l = (v1l ^ v2l) | 0;
      t = v2h; // rotl(V2, 32)
      v2h = v2l;
      v2l = t;
    }
    if (step < 3) {
      v0h = (v0h ^ mh) | 0;
      v0l = (v0l ^ ml) | 0;
    }
  }
  return (v0l ^ v1l ^ v2l ^ v3l) >>> 0;
}
