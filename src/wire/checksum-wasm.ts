/**
 * The checksum's inner loop in WebAssembly SIMD, for hosts that have it (every current browser
 * and Node); checksum.ts falls back to its JS loop elsewhere. The module is assembled below from
 * its opcodes (WebAssembly Core Specification 2.0, §5 binary format), so the bytes are readable
 * source rather than an opaque blob.
 *
 * The exported function s(from, to) sums the bytes at [from, to) of the module's own memory (to -
 * from a multiple of 64; the caller copies the data in and pads it with zeros) as little-endian
 * 16-bit words, 64 bytes per turn into four i32x4 accumulators (i32x4.extadd_pairwise_i16x8_u then i32x4.add). A lane
 * gains at most 2·0xffff per 16 bytes, so 64 KiB cannot overflow it. It returns the lanes, each
 * folded to at most 17 bits, added: a partial sum the caller folds and byte-swaps back (RFC 1071
 * §2(B): the sum is independent of byte order).
 */

/** Bytes of data one call may sum: the largest IPv4 packet, rounded up to the loop's 64 bytes. */
export const WASM_SUM_MAX = 65536;

// Opcodes used below.
const BLOCK = 0x02;
const LOOP = 0x03;
const VOID = 0x40;
const END = 0x0b;
const BR = 0x0c;
const BR_IF = 0x0d;
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const LOCAL_TEE = 0x22;
const I32_CONST = 0x41;
const I32_GE_U = 0x4f;
const I32_ADD = 0x6a;
const I32_AND = 0x71;
const I32_SHR_U = 0x76;
const SIMD = 0xfd;
const V128_LOAD = [SIMD, 0x00];
const I32X4_EXTRACT_LANE = [SIMD, 0x1b];
const I32X4_EXTADD_PAIRWISE_I16X8_U = [SIMD, 0x7f];
const I32X4_ADD = [SIMD, 0xae, 0x01];
const I32 = 0x7f;
const V128 = 0x7b;

// Locals: 0 = i (the first parameter, from), 1 = to, 2 = t, 3..6 = the four accumulators.
const I = 0;
const TO = 1;
const T = 2;
const ACC = [3, 4, 5, 6];

function body(): number[] {
  const b: number[] = [2, 1, I32, 4, V128]; // one i32 local, four v128 locals
  b.push(BLOCK, VOID, LOOP, VOID);
  b.push(LOCAL_GET, I, LOCAL_GET, TO, I32_GE_U, BR_IF, 1);
  for (let k = 0; k < 4; k++) {
    const acc = ACC[k] as number;
    // acc += pairwise(load(i + 16k)); memarg: alignment hint 2^0, offset 16k.
    b.push(LOCAL_GET, acc, LOCAL_GET, I, ...V128_LOAD, 0, 16 * k, ...I32X4_EXTADD_PAIRWISE_I16X8_U);
    b.push(...I32X4_ADD, LOCAL_SET, acc);
  }
  b.push(LOCAL_GET, I, I32_CONST, 0xc0, 0x00, I32_ADD, LOCAL_SET, I); // i += 64 (signed LEB128)
  b.push(BR, 0, END, END);
  // acc0 += acc1 + acc2 + acc3 (at most 2^17·1024·4 per lane: no overflow)
  b.push(LOCAL_GET, ACC[0] as number);
  for (let k = 1; k < 4; k++) b.push(LOCAL_GET, ACC[k] as number, ...I32X4_ADD);
  b.push(LOCAL_SET, ACC[0] as number);
  // Σ over lanes of (lane & 0xffff) + (lane >>> 16)
  for (let lane = 0; lane < 4; lane++) {
    b.push(LOCAL_GET, ACC[0] as number, ...I32X4_EXTRACT_LANE, lane, LOCAL_TEE, T);
    b.push(I32_CONST, 0xff, 0xff, 0x03, I32_AND); // 0xffff (signed LEB128)
    b.push(LOCAL_GET, T, I32_CONST, 16, I32_SHR_U, I32_ADD);
    if (lane > 0) b.push(I32_ADD);
  }
  b.push(END);
  return b;
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

function uleb(v: number): number[] {
  const out: number[] = [];
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

/** The module's bytes. */
export function checksumModuleBytes(): Uint8Array {
  const code = body();
  const pages = Math.ceil((WASM_SUM_MAX + 64) / 65536);
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // "\0asm", version 1
    ...section(1, [1, 0x60, 2, I32, I32, 1, I32]), // types: (i32, i32) -> i32
    ...section(3, [1, 0]), // functions: one, of type 0
    ...section(5, [1, 0x00, pages]), // memory: `pages` pages, no maximum
    ...section(7, [2, 1, 0x6d, 0x02, 0, 1, 0x73, 0x00, 0]), // exports: "m" memory 0, "s" func 0
    ...section(10, [1, ...uleb(code.length), ...code]), // code
  ]);
}

/** The summing routine: copy in, pad, sum. Null where WebAssembly SIMD is missing. */
export interface WasmSummer {
  /** Bytes of the module's memory the caller fills (at least WASM_SUM_MAX + 64). */
  readonly memory: Uint8Array;
  /** The lanes' partial sum of memory[from, to) as little-endian words; to - from a multiple of 64. */
  readonly sum: (from: number, to: number) => number;
}

/** The part of the WebAssembly JS API used here (the core's lib has no WebAssembly types). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
}

export function loadWasmSummer(): WasmSummer | null {
  const wa = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (wa === undefined) return null;
  try {
    const bytes = checksumModuleBytes();
    if (!wa.validate(bytes)) return null;
    const inst = new wa.Instance(new wa.Module(bytes));
    const mem = inst.exports['m'] as { buffer: ArrayBuffer };
    const sum = inst.exports['s'] as (from: number, to: number) => number;
    return { memory: new Uint8Array(mem.buffer), sum };
  } catch {
    // A host whose policy forbids compiling code at run time (a strict CSP): the JS loop serves.
    return null;
  }
}
