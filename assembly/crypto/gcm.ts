// GCM (NIST SP 800-38D) with 96-bit IVs. GHASH uses per-key byte tables with WASM SIMD: a field
// element is a v128 in wire byte order and X·H = XOR over i of T_i[x_i], where
// T_i[b] = (b at byte position i)·H (16 tables × 256 entries × 16 bytes = 64 KiB per key), so a
// block costs 16 independent loads and XORs. T_{i+1} = T_i · x^8: a byte shuffle plus a lookup
// in the 256-entry reduction table R8 (Shoup's method).
import { aesEncryptBlock, B0, B1, B2, B3 } from "./aes";

export const GHASH_TABLE_BYTES: usize = 65536;

const R8: usize = memory.data(4096, 16);
const TMP: usize = memory.data(32, 16);
let r8Ready = false;

// Scalar field element (hi = bytes 0..7 big-endian, lo = bytes 8..15) for table building.
let fhi: u64 = 0;
let flo: u64 = 0;

/** fhi:flo ← fhi:flo · x (a right shift in GCM's reflected bit order, SP 800-38D §6.3). */
function mulX(): void {
  const lsb = flo & 1;
  flo = (flo >>> 1) | (fhi << 63);
  fhi = (fhi >>> 1) ^ (lsb ? 0xe100000000000000 : 0);
}

function storeF(p: usize): void {
  store<u64>(p, bswap<u64>(fhi));
  store<u64>(p, bswap<u64>(flo), 8);
}

function ghashInitR8(): void {
  if (r8Ready) return;
  for (let rem: u64 = 0; rem < 256; rem++) {
    fhi = 0;
    flo = rem;
    for (let i = 0; i < 8; i++) mulX();
    storeF(R8 + (<usize>rem << 4));
  }
  r8Ready = true;
}

function mulX8(z: v128): v128 {
  const rem = <usize>i8x16.extract_lane_u(z, 15);
  z = i8x16.shuffle(z, i64x2.splat(0), 16, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14);
  return v128.xor(z, v128.load(R8 + (rem << 4)));
}

/** Builds the 16 tables T_i (GHASH_TABLE_BYTES at `m`) from the 16-byte hash subkey H at `h`. */
export function ghashInit(m: usize, h: usize): void {
  ghashInitR8();
  fhi = bswap<u64>(load<u64>(h));
  flo = bswap<u64>(load<u64>(h, 8));
  v128.store(m, i64x2.splat(0));
  // Byte 0x80 at position 0 is the field element 1, so T_0[0x80] = H; halving b multiplies by x.
  for (let b: usize = 0x80; b > 0; b >>= 1) {
    storeF(m + (b << 4));
    mulX();
  }
  for (let b: usize = 2; b < 256; b <<= 1) {
    for (let j: usize = 1; j < b; j++) {
      v128.store(m + ((b + j) << 4), v128.xor(v128.load(m + (b << 4)), v128.load(m + (j << 4))));
    }
  }
  for (let i: usize = 1; i < 16; i++) {
    const t = m + (i << 12);
    for (let b: usize = 0; b < 256; b++) v128.store(t + (b << 4), mulX8(v128.load(t - 4096 + (b << 4))));
  }
}

/** y ← (y ⊕ block) · H. */
function ghashBlock(m: usize, y: v128, x: v128): v128 {
  v128.store(TMP, v128.xor(y, x));
  let z0 = v128.load(m + (<usize>load<u8>(TMP) << 4));
  let z1 = v128.load(m + 4096 + (<usize>load<u8>(TMP, 1) << 4));
  for (let i: usize = 2; i < 16; i += 2) {
    z0 = v128.xor(z0, v128.load(m + (i << 12) + (<usize>load<u8>(TMP + i) << 4)));
    z1 = v128.xor(z1, v128.load(m + ((i + 1) << 12) + (<usize>load<u8>(TMP + i + 1) << 4)));
  }
  return v128.xor(z0, z1);
}

/** Absorbs `len` bytes at `p` into the GHASH state at `yp` (16 bytes), zero-padding the last block. */
export function ghashUpdate(m: usize, yp: usize, p: usize, len: usize): void {
  let y = v128.load(yp);
  const end = p + (len & ~15);
  for (; p < end; p += 16) y = ghashBlock(m, y, v128.load(p));
  const rest = len & 15;
  if (rest !== 0) {
    v128.store(TMP, i64x2.splat(0), 16);
    memory.copy(TMP + 16, p, rest);
    y = ghashBlock(m, y, v128.load(TMP, 16));
  }
  v128.store(yp, y);
}

/** Absorbs the final length block len(A)||len(C) in bits (SP 800-38D §7.1 step 5). */
export function ghashLengths(m: usize, yp: usize, aadLen: u64, cLen: u64): void {
  const y = v128.load(yp);
  const x = i64x2.replace_lane(i64x2.splat(bswap<u64>(aadLen << 3)), 1, bswap<u64>(cLen << 3));
  v128.store(yp, ghashBlock(m, y, x));
}

/** tag ← E_K(J0) ⊕ S with J0 = nonce(12) || 0x00000001. `tag` holds S on entry. */
export function gcmFinishTag(rk: usize, nr: i32, nonce: usize, tag: usize): void {
  aesEncryptBlock(rk, nr, load<u32>(nonce), load<u32>(nonce, 4), load<u32>(nonce, 8), bswap<u32>(1));
  store<u32>(tag, load<u32>(tag) ^ B0);
  store<u32>(tag, load<u32>(tag, 4) ^ B1, 4);
  store<u32>(tag, load<u32>(tag, 8) ^ B2, 8);
  store<u32>(tag, load<u32>(tag, 12) ^ B3, 12);
}

/** Computes the hash subkey H = E_K(0^128) into `h` (16 bytes). */
export function gcmHashKey(rk: usize, nr: i32, h: usize): void {
  aesEncryptBlock(rk, nr, 0, 0, 0, 0);
  store<u32>(h, B0);
  store<u32>(h, B1, 4);
  store<u32>(h, B2, 8);
  store<u32>(h, B3, 12);
}

/** Tag over ciphertext `c` (SP 800-38D §7.1 steps 5-6): S = GHASH(A, C); tag = E_K(J0) ⊕ S. */
export function gcmTag(
  rk: usize, nr: i32, m: usize, nonce: usize, aad: usize, aadLen: usize, c: usize, cLen: usize, tag: usize,
): void {
  v128.store(tag, i64x2.splat(0));
  ghashUpdate(m, tag, aad, aadLen);
  ghashUpdate(m, tag, c, cLen);
  ghashLengths(m, tag, aadLen, cLen);
  gcmFinishTag(rk, nr, nonce, tag);
}
