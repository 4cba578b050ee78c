// SHA-1 and SHA-256 (FIPS 180-4 §6.1, §6.2). A chaining state is 8 u32 words in memory
// (SHA-1 uses the first 5). shaDigest finishes a message from a state that has already
// absorbed `prefix` bytes (HMAC's precomputed inner/outer states start at prefix = 64).
// The compression functions are in sha1.ts and sha256.ts.
import { sha1Blocks } from "./sha1";
import { sha256Blocks } from "./sha256";

export { sha1Blocks, sha256Blocks };

export const ALG_SHA1: i32 = 1;
export const ALG_SHA256: i32 = 2;

const TAIL: usize = memory.data(128, 64);

/** Digest length in bytes for an algorithm id. */
export function shaDigestLen(alg: i32): i32 {
  return alg === ALG_SHA1 ? 20 : 32;
}

/** Writes the FIPS 180-4 initial hash value for `alg` to state `h`. */
export function shaInitState(alg: i32, h: usize): void {
  if (alg === ALG_SHA1) {
    store<u32>(h, 0x67452301);
    store<u32>(h, 0xefcdab89, 4);
    store<u32>(h, 0x98badcfe, 8);
    store<u32>(h, 0x10325476, 12);
    store<u32>(h, 0xc3d2e1f0, 16);
  } else {
    store<u32>(h, 0x6a09e667);
    store<u32>(h, 0xbb67ae85, 4);
    store<u32>(h, 0x3c6ef372, 8);
    store<u32>(h, 0xa54ff53a, 12);
    store<u32>(h, 0x510e527f, 16);
    store<u32>(h, 0x9b05688c, 20);
    store<u32>(h, 0x1f83d9ab, 24);
    store<u32>(h, 0x5be0cd19, 28);
  }
}

/** Compresses `n` whole blocks with the algorithm's function. */
export function shaBlocks(alg: i32, h: usize, p: usize, n: usize): void {
  if (alg === ALG_SHA1) sha1Blocks(h, p, n);
  else sha256Blocks(h, p, n);
}

/**
 * Absorbs the last `len` bytes at `p` into state `h` (which has absorbed `prefix` bytes,
 * a multiple of 64), pads (§5.1.1) and writes the big-endian digest to `out`.
 */
export function shaDigest(alg: i32, h: usize, p: usize, len: usize, prefix: u64, out: usize): void {
  const full = len >> 6;
  if (full) shaBlocks(alg, h, p, full);
  const rest = len & 63;
  memory.copy(TAIL, p + (full << 6), rest);
  store<u8>(TAIL + rest, 0x80);
  const blocks: usize = rest < 56 ? 1 : 2;
  const end = blocks << 6;
  memory.fill(TAIL + rest + 1, 0, end - rest - 9);
  store<u64>(TAIL + end - 8, bswap<u64>((prefix + <u64>len) << 3));
  shaBlocks(alg, h, TAIL, blocks);
  const words: usize = alg === ALG_SHA1 ? 5 : 8;
  for (let i: usize = 0; i < words; i++) store<u32>(out + (i << 2), bswap<u32>(load<u32>(h + (i << 2))));
}
