// CBC (NIST SP 800-38A §6.2) and CTR (SP 800-38D §6.5, 32-bit big-endian counter) over the
// vector-permute AES-128 (aes-vperm.ts). Same contracts as modes.ts; the parallel modes (CTR,
// CBC decryption) run two blocks per iteration. All operate in place.
import { Vp } from "./aes-vperm";

const KS: usize = memory.data(16, 16);

/** CBC-encrypts `len` bytes (a multiple of 16) at `p` in place with transformed keys `ek`; IV at `iv`. */
export function cbcEncryptVp(ek: usize, iv: usize, p: usize, len: usize): void {
  let c = v128.load(iv);
  const end = p + (len & ~15);
  for (; p < end; p += 16) {
    c = Vp.vpEncrypt(ek, v128.xor(c, v128.load(p)));
    v128.store(p, c);
  }
}

/** CBC-decrypts `len` bytes (a multiple of 16) at `p` in place with transformed inverse keys `dk`. */
export function cbcDecryptVp(dk: usize, iv: usize, p: usize, len: usize): void {
  let c = v128.load(iv);
  const end = p + (len & ~15);
  for (; p + 48 < end; p += 64) {
    const n0 = v128.load(p);
    const n1 = v128.load(p, 16);
    const n2 = v128.load(p, 32);
    const n3 = v128.load(p, 48);
    const x0 = Vp.vpDecrypt4(dk, n0, n1, n2, n3);
    const x1 = Vp.vpEncrypt2B();
    const x2 = Vp.vpEncrypt4C();
    const x3 = Vp.vpEncrypt4D();
    v128.store(p, v128.xor(x0, c));
    v128.store(p, v128.xor(x1, n0), 16);
    v128.store(p, v128.xor(x2, n1), 32);
    v128.store(p, v128.xor(x3, n2), 48);
    c = n3;
  }
  for (; p + 16 < end; p += 32) {
    const n0 = v128.load(p);
    const n1 = v128.load(p, 16);
    const x0 = Vp.vpDecrypt2(dk, n0, n1);
    const x1 = Vp.vpEncrypt2B();
    v128.store(p, v128.xor(x0, c));
    v128.store(p, v128.xor(x1, n0), 16);
    c = n1;
  }
  if (p < end) {
    const n = v128.load(p);
    v128.store(p, v128.xor(Vp.vpDecrypt(dk, n), c));
  }
}

/**
 * XORs the CTR keystream into `len` bytes at `p`. Counter block = 12 bytes at `nonce`
 * || 32-bit big-endian counter starting at `ctr` (incremented mod 2^32 per block).
 */
export function ctrXorVp(ek: usize, nonce: usize, ctr: u32, p: usize, len: usize): void {
  const base = v128.load(nonce); // lane 3 replaced below
  const end = p + (len & ~15);
  for (; p + 16 < end; p += 32) {
    const k0 = Vp.vpEncrypt2(ek, i32x4.replace_lane(base, 3, bswap<u32>(ctr)), i32x4.replace_lane(base, 3, bswap<u32>(ctr + 1)));
    const k1 = Vp.vpEncrypt2B();
    ctr += 2;
    v128.store(p, v128.xor(v128.load(p), k0));
    v128.store(p, v128.xor(v128.load(p, 16), k1), 16);
  }
  if (p < end) {
    v128.store(p, v128.xor(v128.load(p), Vp.vpEncrypt(ek, i32x4.replace_lane(base, 3, bswap<u32>(ctr++)))));
    p += 16;
  }
  const rest = len & 15;
  if (rest !== 0) {
    v128.store(KS, Vp.vpEncrypt(ek, i32x4.replace_lane(base, 3, bswap<u32>(ctr))));
    for (let i: usize = 0; i < rest; i++) store<u8>(p + i, load<u8>(p + i) ^ load<u8>(KS + i));
  }
}

/** One block: out ← AES_ek(in) (16 bytes each, may alias). */
export function ecbEncryptVp(ek: usize, inp: usize, out: usize): void {
  v128.store(out, Vp.vpEncrypt(ek, v128.load(inp)));
}
