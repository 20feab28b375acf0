/**
 * The Internet checksum (RFC 1071): the 16-bit one's-complement of the one's-complement sum of the
 * data taken as big-endian 16-bit words. One routine over Uint8Array serves IPv4, TCP, UDP and
 * ICMP. The partial sum is kept in a plain number (exact to 2^53) and folded once at the end, so
 * the loop does no carry handling; it reads eight bytes per step. Where WebAssembly SIMD is
 * available, longer runs are summed there instead (checksum-wasm.ts), several times faster.
 */
import { loadWasmSummer, WASM_SUM_MAX } from './checksum-wasm.js';

/** Whether this machine stores a Uint32Array's words little-endian (every current JS host does). */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Below this many bytes a word view costs more than it saves. */
const WORD_VIEW_MIN = 128;

/**
 * The sum of the 16-bit words of buf[start..end) read 32 bits at a time through a Uint32Array over
 * the same memory (start must be 4-byte aligned in the underlying buffer). A little-endian load
 * sees each 16-bit word byte-swapped; RFC 1071 §2(B) shows the one's-complement sum is
 * independent of byte order, so the swapped words are summed and the folded result swapped back.
 * Whole 32-bit words are added into four plain-number accumulators (hi·2^16 + lo ≡ hi + lo modulo
 * 0xffff, so the 32-bit sum folds to the same 16-bit sum, RFC 1071 §2(C)).
 */
function wordSum(buf: Uint8Array, start: number, words: number): number {
  const w32 = new Uint32Array(buf.buffer, buf.byteOffset + start, words);
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  let k = 0;
  while (k + 3 < words) {
    // Exact: each step adds under 2^32, so 2^20 steps per accumulator stay below 2^53; fold
    // between blocks of that many for longer buffers.
    const blockEnd = Math.min(words - 3, k + 4 * (1 << 20));
    for (; k < blockEnd; k += 4) {
      a += w32[k] as number;
      b += w32[k + 1] as number;
      c += w32[k + 2] as number;
      d += w32[k + 3] as number;
    }
    a = fold(a) + fold(b) + fold(c) + fold(d);
    b = c = d = 0;
  }
  for (; k < words; k++) a += w32[k] as number;
  const swapped = fold(a);
  return ((swapped & 0xff) << 8) | (swapped >>> 8);
}

/** The WebAssembly routine, or null where the host has none (then the JS loop below serves). */
const wasm = loadWasmSummer();
/** Below this many bytes copying into the module's memory costs more than it saves. */
const WASM_MIN = 128;

/**
 * The sum of buf[start..end) by the WebAssembly routine: the bytes are copied into its memory (the
 * whole of a small buffer, which needs no view object, else just the range), padded with zeros to
 * the loop's 64 bytes, and summed as little-endian words; the result is swapped back as in wordSum.
 */
function wasmSum(summer: NonNullable<typeof wasm>, buf: Uint8Array, start: number, end: number): number {
  const mem = summer.memory;
  let from = start;
  if (buf.length <= WASM_SUM_MAX) mem.set(buf);
  else {
    mem.set(buf.subarray(start, end));
    from = 0;
  }
  const last = from + (end - start);
  const to = from + ((end - start + 63) & ~63);
  if (to > last) mem.fill(0, last, to);
  const swapped = fold(summer.sum(from, to));
  return ((swapped & 0xff) << 8) | (swapped >>> 8);
}

/** One's-complement partial sum of buf[start..end), folded to 16 bits (not inverted). */
export function onesSum(buf: Uint8Array, start: number, end: number, initial = 0): number {
  if (wasm !== null && end - start >= WASM_MIN && end - start <= WASM_SUM_MAX) {
    return fold(initial + wasmSum(wasm, buf, start, end));
  }
  return jsOnesSum(buf, start, end, initial);
}

/** onesSum in plain JS (hosts without WebAssembly, short runs); exported for the tests. */
export function jsOnesSum(buf: Uint8Array, start: number, end: number, initial = 0): number {
  let sum = initial;
  let i = start;
  if (LITTLE_ENDIAN && end - start >= WORD_VIEW_MIN && ((buf.byteOffset + i) & 1) === 0) {
    if (((buf.byteOffset + i) & 2) !== 0) {
      sum += ((buf[i] as number) << 8) | (buf[i + 1] as number);
      i += 2;
    }
    const words = (end - i) >>> 2;
    sum += wordSum(buf, i, words);
    i += words * 4;
  }
  const last8 = end - 7;
  for (; i < last8; i += 8) {
    sum +=
      (((buf[i] as number) << 8) | (buf[i + 1] as number)) +
      (((buf[i + 2] as number) << 8) | (buf[i + 3] as number)) +
      (((buf[i + 4] as number) << 8) | (buf[i + 5] as number)) +
      (((buf[i + 6] as number) << 8) | (buf[i + 7] as number));
    // Fold now and then so the sum stays an exact small integer for very long buffers.
    if (sum > 0x3fffffffff) sum = (sum % 0x10000) + Math.floor(sum / 0x10000);
  }
  for (; i + 1 < end; i += 2) sum += ((buf[i] as number) << 8) | (buf[i + 1] as number);
  if (i < end) sum += (buf[i] as number) << 8; // an odd byte is padded with zero (RFC 1071 §4.1)
  return fold(sum);
}

function fold(sum: number): number {
  if (sum <= 0x7fffffff) {
    // The usual case (a packet's sum): two integer folds reach 16 bits, without a division.
    sum = (sum & 0xffff) + (sum >>> 16);
    return (sum & 0xffff) + (sum >>> 16);
  }
  while (sum > 0xffff) sum = (sum % 0x10000) + Math.floor(sum / 0x10000);
  return sum;
}

/** Fold and invert a partial sum into the value carried in a header. */
export function finishChecksum(sum: number): number {
  return ~fold(sum) & 0xffff;
}

/** Sum of the IPv4 pseudo-header (RFC 9293 §3.1, RFC 768) for TCP/UDP checksums. */
export function pseudoHeaderSum(src: number, dst: number, protocol: number, length: number): number {
  return fold((src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + protocol + length);
}

/** Checksum of buf[start..end) with an optional pseudo-header sum: the value to write. */
export function checksum(buf: Uint8Array, start: number, end: number, initial = 0): number {
  return finishChecksum(onesSum(buf, start, end, initial));
}

/**
 * RFC 1624 eqn. 3: the new checksum after one 16-bit word of the covered data changes from
 * `oldWord` to `newWord`, without summing the data again: HC' = ~(~HC + ~m + m').
 */
export function incrementalUpdate(oldChecksum: number, oldWord: number, newWord: number): number {
  const sum = (~oldChecksum & 0xffff) + (~oldWord & 0xffff) + (newWord & 0xffff);
  return ~fold(sum) & 0xffff;
}

/** A plain byte-at-a-time loop: the baseline the benchmark compares the fast routine with. */
export function naiveChecksum(buf: Uint8Array, start: number, end: number): number {
  let sum = 0;
  for (let i = start; i < end; i++) {
    sum += (i - start) % 2 === 0 ? (buf[i] as number) * 256 : (buf[i] as number);
    sum = (sum & 0xffff) + (sum >>> 16);
  }
  return ~sum & 0xffff;
}
