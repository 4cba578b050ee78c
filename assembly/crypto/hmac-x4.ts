// HMAC (RFC 2104) of up to four messages at once with the multi-buffer compression of sha-x4.ts,
// one message per lane, from precomputed inner/outer states (hmac.ts). Lanes of different
// lengths: the blocks all lanes have run in SIMD, each lane's extra whole blocks run scalar,
// the padded last block(s) (FIPS 180-4 §5.1.1) and the outer block run in SIMD again.
import { sha1x4, sha256x4 } from "./sha-x4";
import { ALG_SHA1, shaBlocks, shaDigestLen } from "./sha";

/** Per-lane job: istate u32 | ostate u32 | p u32 | len u32 | out u32 (full digest), 32 bytes each. */
export const HX4_JOBS: usize = memory.data(4 * 32, 16);
const ST: usize = memory.data(4 * 32, 16);
const TAILS: usize = memory.data(4 * 128, 16);
const OUTER: usize = memory.data(4 * 64, 16);
const SINK: usize = memory.data(32, 16);

function x4(alg: i32, p0: usize, p1: usize, p2: usize, p3: usize, n: usize): void {
  if (alg === ALG_SHA1) sha1x4(ST, p0, p1, p2, p3, n);
  else sha256x4(ST, p0, p1, p2, p3, n);
}

/**
 * Computes the HMACs of the first `lanes` (1..4) jobs in HX4_JOBS with hash `alg`; unused lanes
 * repeat lane 0 with the digest going nowhere.
 */
export function hmacX4(alg: i32, lanes: i32): void {
  for (let k = lanes; k < 4; k++) {
    const j = HX4_JOBS + (<usize>k << 5);
    memory.copy(j, HX4_JOBS, 16);
    store<u32>(j, <u32>SINK, 16);
  }
  let m: usize = 0xffffffff;
  for (let k: usize = 0; k < 4; k++) {
    const j = HX4_JOBS + (k << 5);
    memory.copy(ST + (k << 5), load<u32>(j), 32);
    const full = <usize>load<u32>(j, 12) >> 6;
    if (full < m) m = full;
  }
  const j0 = HX4_JOBS, j1 = HX4_JOBS + 32, j2 = HX4_JOBS + 64, j3 = HX4_JOBS + 96;
  if (m > 0) x4(alg, load<u32>(j0, 8), load<u32>(j1, 8), load<u32>(j2, 8), load<u32>(j3, 8), m);
  // Extra whole blocks scalar; then the lane's padded tail: 1 or 2 blocks ending in the bit length.
  let two = 0;
  for (let k: usize = 0; k < 4; k++) {
    const j = HX4_JOBS + (k << 5);
    const p = <usize>load<u32>(j, 8);
    const len = <usize>load<u32>(j, 12);
    const full = len >> 6;
    if (full > m) shaBlocks(alg, ST + (k << 5), p + (m << 6), full - m);
    const rest = len & 63;
    const t = TAILS + (k << 7);
    memory.copy(t, p + (full << 6), rest);
    store<u8>(t + rest, 0x80);
    const end: usize = rest < 56 ? 64 : 128;
    memory.fill(t + rest + 1, 0, end - rest - 9);
    store<u64>(t + end - 8, bswap<u64>(<u64>(64 + len) << 3)); // the key block counts (prefix 64)
    if (end === 128) two |= 1 << <i32>k;
  }
  x4(alg, TAILS, TAILS + 128, TAILS + 256, TAILS + 384, 1);
  for (let k: usize = 0; k < 4; k++) if ((two >> <i32>k) & 1) shaBlocks(alg, ST + (k << 5), TAILS + (k << 7) + 64, 1);
  // Outer hash: ostate absorbs the inner digest (one padded block, RFC 2104 §2).
  const dlen = <usize>shaDigestLen(alg);
  const words = dlen >> 2;
  for (let k: usize = 0; k < 4; k++) {
    const o = OUTER + (k << 6);
    const s = ST + (k << 5);
    for (let i: usize = 0; i < words; i++) store<u32>(o + (i << 2), bswap<u32>(load<u32>(s + (i << 2))));
    store<u8>(o + dlen, 0x80);
    memory.fill(o + dlen + 1, 0, 55 - dlen);
    store<u64>(o + 56, bswap<u64>(<u64>(64 + dlen) << 3));
    memory.copy(s, load<u32>(HX4_JOBS + (k << 5), 4), 32);
  }
  x4(alg, OUTER, OUTER + 64, OUTER + 128, OUTER + 192, 1);
  for (let k: usize = 0; k < 4; k++) {
    const out = <usize>load<u32>(HX4_JOBS + (k << 5), 16);
    const s = ST + (k << 5);
    for (let i: usize = 0; i < words; i++) store<u32>(out + (i << 2), bswap<u32>(load<u32>(s + (i << 2))));
  }
}
