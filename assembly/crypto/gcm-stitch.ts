// AES-GCM seal / open for ESP with CTR and GHASH "stitched" (NIST SP 800-38D §7.1, §7.2): each
// loop iteration encrypts one counter block and hashes one ciphertext block. GHASH is a serial
// chain of dependent table lookups; the AES work of the next block is independent of it, so the
// CPU overlaps the two. GHASH tables as in gcm.ts (T_i[b] = (b at byte i)·H, 16 × 4 KiB).
import { aesEncryptBlock, B0, B1, B2, B3 } from "./aes";
import { Vp } from "./aes-vperm";
import { gcmFinishTag, ghashLengths, ghashUpdate } from "./gcm";

const KS: usize = memory.data(16, 16);

/** tag ← E_K(J0) ⊕ S, J0 = nonce || 1 (SP 800-38D §7.1 step 6); the vector-permute AES keeps the T-tables out of the cache. */
function finishTag(rk: usize, nr: i32, vek: usize, nonce: usize, tag: usize): void {
  if (vek === 0) {
    gcmFinishTag(rk, nr, nonce, tag);
    return;
  }
  const j0 = i32x4.replace_lane(v128.load(nonce), 3, bswap<u32>(1));
  v128.store(tag, v128.xor(v128.load(tag), Vp.vpEncrypt(vek, j0)));
}

/**
 * Encrypts `len` bytes at `p` in place (counter from 2) and writes the 16-byte tag to `tag`
 * (AAD `aad`/`aadLen`). `vek` ≠ 0 selects the vector-permute AES-128 schedule.
 */
export function gcmSealStitched(
  rk: usize, nr: i32, vek: usize, m: usize, nonce: usize, aad: usize, aadLen: usize, p: usize, len: usize, tag: usize,
): void {
  v128.store(tag, i64x2.splat(0));
  ghashUpdate(m, tag, aad, aadLen);
  let y = v128.load(tag);
  const n = v128.load(nonce);
  let ctr: u32 = 2;
  const end = p + (len & ~15);
  let q = p;
  if (vek !== 0) {
    // Four, then two keystream blocks per iteration: the vector-permute AES needs the parallelism.
    for (; q + 48 < end; q += 64) {
      const k0 = Vp.vpEncrypt4(
        vek, i32x4.replace_lane(n, 3, bswap<u32>(ctr)), i32x4.replace_lane(n, 3, bswap<u32>(ctr + 1)),
        i32x4.replace_lane(n, 3, bswap<u32>(ctr + 2)), i32x4.replace_lane(n, 3, bswap<u32>(ctr + 3)),
      );
      const k1 = Vp.vpEncrypt2B();
      const k2 = Vp.vpEncrypt4C();
      const k3 = Vp.vpEncrypt4D();
      ctr += 4;
      const c0 = v128.xor(v128.load(q), k0);
      const c1 = v128.xor(v128.load(q, 16), k1);
      const c2 = v128.xor(v128.load(q, 32), k2);
      const c3 = v128.xor(v128.load(q, 48), k3);
      v128.store(q, c0);
      v128.store(q, c1, 16);
      v128.store(q, c2, 32);
      v128.store(q, c3, 48);
      y = GS.ghashMul(m, v128.xor(GS.ghashMul(m, v128.xor(GS.ghashMul(m, v128.xor(GS.ghashMul(m, v128.xor(y, c0)), c1)), c2)), c3));
    }
    for (; q + 16 < end; q += 32) {
      const k0 = Vp.vpEncrypt2(vek, i32x4.replace_lane(n, 3, bswap<u32>(ctr)), i32x4.replace_lane(n, 3, bswap<u32>(ctr + 1)));
      const k1 = Vp.vpEncrypt2B();
      ctr += 2;
      const c0 = v128.xor(v128.load(q), k0);
      const c1 = v128.xor(v128.load(q, 16), k1);
      v128.store(q, c0);
      v128.store(q, c1, 16);
      y = GS.ghashMul(m, v128.xor(GS.ghashMul(m, v128.xor(y, c0)), c1));
    }
  }
  for (; q < end; q += 16) {
    const c = v128.xor(v128.load(q), GS.ksBlock(rk, nr, vek, n, ctr++));
    v128.store(q, c);
    y = GS.ghashMul(m, v128.xor(y, c));
  }
  v128.store(tag, y);
  const rest = len & 15;
  if (rest !== 0 && vek !== 0) {
    // Last partial counter block and E_K(J0) (§7.1 steps 2, 6) in one 2-wide vector-permute call.
    v128.store(KS, Vp.vpEncrypt2(vek, i32x4.replace_lane(n, 3, bswap<u32>(ctr)), i32x4.replace_lane(n, 3, bswap<u32>(1))));
    const ej0 = Vp.vpEncrypt2B();
    for (let i: usize = 0; i < rest; i++) store<u8>(end + i, load<u8>(end + i) ^ load<u8>(KS + i));
    ghashUpdate(m, tag, end, rest);
    ghashLengths(m, tag, aadLen, len);
    v128.store(tag, v128.xor(v128.load(tag), ej0));
    return;
  }
  if (rest !== 0) {
    v128.store(KS, GS.ksBlock(rk, nr, vek, n, ctr));
    for (let i: usize = 0; i < rest; i++) store<u8>(end + i, load<u8>(end + i) ^ load<u8>(KS + i));
    ghashUpdate(m, tag, end, rest);
  }
  ghashLengths(m, tag, aadLen, len);
  finishTag(rk, nr, vek, nonce, tag);
}

/**
 * Computes the tag over the ciphertext at `p` into `tag` while decrypting it in place. When the
 * caller's tag check fails it calls gcmUndo to restore the ciphertext (CTR is its own inverse).
 */
export function gcmOpenStitched(
  rk: usize, nr: i32, vek: usize, m: usize, nonce: usize, aad: usize, aadLen: usize, p: usize, len: usize, tag: usize,
): void {
  v128.store(tag, i64x2.splat(0));
  ghashUpdate(m, tag, aad, aadLen);
  let y = v128.load(tag);
  const n = v128.load(nonce);
  let ctr: u32 = 2;
  const end = p + (len & ~15);
  let q = p;
  if (vek !== 0) {
    for (; q + 48 < end; q += 64) {
      const c0 = v128.load(q);
      const c1 = v128.load(q, 16);
      const c2 = v128.load(q, 32);
      const c3 = v128.load(q, 48);
      const k0 = Vp.vpEncrypt4(
        vek, i32x4.replace_lane(n, 3, bswap<u32>(ctr)), i32x4.replace_lane(n, 3, bswap<u32>(ctr + 1)),
        i32x4.replace_lane(n, 3, bswap<u32>(ctr + 2)), i32x4.replace_lane(n, 3, bswap<u32>(ctr + 3)),
      );
      const k1 = Vp.vpEncrypt2B();
      const k2 = Vp.vpEncrypt4C();
      const k3 = Vp.vpEncrypt4D();
      ctr += 4;
      y = GS.ghashMul(m, v128.xor(GS.ghashMul(m, v128.xor(GS.ghashMul(m, v128.xor(GS.ghashMul(m, v128.xor(y, c0)), c1)), c2)), c3));
      v128.store(q, v128.xor(c0, k0));
      v128.store(q, v128.xor(c1, k1), 16);
      v128.store(q, v128.xor(c2, k2), 32);
      v128.store(q, v128.xor(c3, k3), 48);
    }
    for (; q + 16 < end; q += 32) {
      const c0 = v128.load(q);
      const c1 = v128.load(q, 16);
      y = GS.ghashMul(m, v128.xor(GS.ghashMul(m, v128.xor(y, c0)), c1));
      const k0 = Vp.vpEncrypt2(vek, i32x4.replace_lane(n, 3, bswap<u32>(ctr)), i32x4.replace_lane(n, 3, bswap<u32>(ctr + 1)));
      const k1 = Vp.vpEncrypt2B();
      ctr += 2;
      v128.store(q, v128.xor(c0, k0));
      v128.store(q, v128.xor(c1, k1), 16);
    }
  }
  for (; q < end; q += 16) {
    const c = v128.load(q);
    y = GS.ghashMul(m, v128.xor(y, c));
    v128.store(q, v128.xor(c, GS.ksBlock(rk, nr, vek, n, ctr++)));
  }
  v128.store(tag, y);
  const rest = len & 15;
  if (rest !== 0 && vek !== 0) {
    // As in seal: the partial block's keystream and E_K(J0) in one 2-wide call (§7.2 steps 3, 5).
    ghashUpdate(m, tag, end, rest);
    v128.store(KS, Vp.vpEncrypt2(vek, i32x4.replace_lane(n, 3, bswap<u32>(ctr)), i32x4.replace_lane(n, 3, bswap<u32>(1))));
    const ej0 = Vp.vpEncrypt2B();
    for (let i: usize = 0; i < rest; i++) store<u8>(end + i, load<u8>(end + i) ^ load<u8>(KS + i));
    ghashLengths(m, tag, aadLen, len);
    v128.store(tag, v128.xor(v128.load(tag), ej0));
    return;
  }
  if (rest !== 0) {
    ghashUpdate(m, tag, end, rest);
    v128.store(KS, GS.ksBlock(rk, nr, vek, n, ctr));
    for (let i: usize = 0; i < rest; i++) store<u8>(end + i, load<u8>(end + i) ^ load<u8>(KS + i));
  }
  ghashLengths(m, tag, aadLen, len);
  finishTag(rk, nr, vek, nonce, tag);
}

// AssemblyScript inlines @inline static methods; plain functions with decorators are not TypeScript.
// biome-ignore lint/complexity/noStaticOnlyClass: namespace for @inline functions (AssemblyScript)
class GS {
  /**
   * (y ⊕ x)·H. The table offsets come from the two 64-bit halves with scalar shifts and masks
   * (integer ALUs) rather than sixteen byte extractions, which compete with the vector-permute
   * AES for the vector ports in the stitched loops; the table index is the offset's byte.
   */
  @inline static ghashMul(m: usize, x: v128): v128 {
    const lo = i64x2.extract_lane(x, 0);
    const hi = i64x2.extract_lane(x, 1);
    let z0 = v128.load(m + (<usize>(<u32>lo << 4) & 0xff0));
    let z1 = v128.load(m + (<usize>(<u32>(lo >>> 4)) & 0xff0), 4096);
    z0 = v128.xor(z0, v128.load(m + (<usize>(<u32>(lo >>> 12)) & 0xff0), 8192));
    z1 = v128.xor(z1, v128.load(m + (<usize>(<u32>(lo >>> 20)) & 0xff0), 12288));
    z0 = v128.xor(z0, v128.load(m + (<usize>(<u32>(lo >>> 28)) & 0xff0), 16384));
    z1 = v128.xor(z1, v128.load(m + (<usize>(<u32>(lo >>> 36)) & 0xff0), 20480));
    z0 = v128.xor(z0, v128.load(m + (<usize>(<u32>(lo >>> 44)) & 0xff0), 24576));
    z1 = v128.xor(z1, v128.load(m + (<usize>(<u32>(lo >>> 52)) & 0xff0), 28672));
    z0 = v128.xor(z0, v128.load(m + (<usize>(<u32>hi << 4) & 0xff0), 32768));
    z1 = v128.xor(z1, v128.load(m + (<usize>(<u32>(hi >>> 4)) & 0xff0), 36864));
    z0 = v128.xor(z0, v128.load(m + (<usize>(<u32>(hi >>> 12)) & 0xff0), 40960));
    z1 = v128.xor(z1, v128.load(m + (<usize>(<u32>(hi >>> 20)) & 0xff0), 45056));
    z0 = v128.xor(z0, v128.load(m + (<usize>(<u32>(hi >>> 28)) & 0xff0), 49152));
    z1 = v128.xor(z1, v128.load(m + (<usize>(<u32>(hi >>> 36)) & 0xff0), 53248));
    z0 = v128.xor(z0, v128.load(m + (<usize>(<u32>(hi >>> 44)) & 0xff0), 57344));
    z1 = v128.xor(z1, v128.load(m + (<usize>(<u32>(hi >>> 52)) & 0xff0), 61440));
    return v128.xor(z0, z1);
  }

  /** Keystream block for counter `ctr`: T-tables (vek = 0) or vector-permute AES-128 (`vek`). */
  @inline static ksBlock(rk: usize, nr: i32, vek: usize, n: v128, ctr: u32): v128 {
    if (vek !== 0) return Vp.vpEncrypt(vek, i32x4.replace_lane(n, 3, bswap<u32>(ctr)));
    aesEncryptBlock(rk, nr, i32x4.extract_lane(n, 0), i32x4.extract_lane(n, 1), i32x4.extract_lane(n, 2), bswap<u32>(ctr));
    return i32x4.replace_lane(i32x4.replace_lane(i32x4.replace_lane(i32x4.splat(B0), 1, B1), 2, B2), 3, B3);
  }
}
