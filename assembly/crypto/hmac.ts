// HMAC (RFC 2104) over SHA-1 / SHA-256 with precomputed inner and outer chaining states,
// so a per-packet MAC costs only the message blocks plus one outer block.
import { shaBlocks, shaDigest, shaDigestLen, shaInitState } from "./sha";

const KEY_BLOCK: usize = memory.data(64, 16);
const WORK: usize = memory.data(32, 16);
const INNER: usize = memory.data(32, 16);

/** Derives the states after absorbing K0⊕ipad (`istate`) and K0⊕opad (`ostate`), RFC 2104 §2. */
export function hmacKeys(alg: i32, key: usize, keyLen: usize, istate: usize, ostate: usize): void {
  memory.fill(KEY_BLOCK, 0, 64);
  if (keyLen > 64) {
    // Keys longer than the block size are hashed first (RFC 2104 §2).
    shaInitState(alg, WORK);
    shaDigest(alg, WORK, key, keyLen, 0, KEY_BLOCK);
  } else {
    memory.copy(KEY_BLOCK, key, keyLen);
  }
  for (let i: usize = 0; i < 64; i += 4) store<u32>(KEY_BLOCK + i, load<u32>(KEY_BLOCK + i) ^ 0x36363636);
  shaInitState(alg, istate);
  shaBlocks(alg, istate, KEY_BLOCK, 1);
  for (let i: usize = 0; i < 64; i += 4) store<u32>(KEY_BLOCK + i, load<u32>(KEY_BLOCK + i) ^ 0x6a6a6a6a);
  shaInitState(alg, ostate);
  shaBlocks(alg, ostate, KEY_BLOCK, 1);
  memory.fill(KEY_BLOCK, 0, 64);
}

/** HMAC of `len` bytes at `p` from precomputed states; full digest to `out`. */
export function hmacCompute(alg: i32, istate: usize, ostate: usize, p: usize, len: usize, out: usize): void {
  memory.copy(WORK, istate, 32);
  shaDigest(alg, WORK, p, len, 64, INNER);
  memory.copy(WORK, ostate, 32);
  shaDigest(alg, WORK, INNER, <usize>shaDigestLen(alg), 64, out);
}

/** Constant-time comparison of `n` bytes (no early exit): 1 when equal. */
export function ctEqual(a: usize, b: usize, n: usize): i32 {
  let acc: u32 = 0;
  for (let i: usize = 0; i < n; i++) acc |= <u32>(load<u8>(a + i) ^ load<u8>(b + i));
  return <i32>((acc - 1) >>> 31);
}
