// Block cipher modes over AES: CBC (NIST SP 800-38A §6.2) and CTR with a 32-bit big-endian
// counter in the last word (SP 800-38D §6.5, as GCM uses it). All operate in place.
import { aesDecryptBlock, aesEncryptBlock, B0, B1, B2, B3 } from "./aes";

/** CBC-encrypts `len` bytes (a multiple of 16) at `p` in place; the 16-byte IV is read at `iv`. */
export function cbcEncrypt(rk: usize, nr: i32, iv: usize, p: usize, len: usize): void {
  let c0 = load<u32>(iv);
  let c1 = load<u32>(iv, 4);
  let c2 = load<u32>(iv, 8);
  let c3 = load<u32>(iv, 12);
  const end = p + (len & ~15);
  for (; p < end; p += 16) {
    aesEncryptBlock(rk, nr, c0 ^ load<u32>(p), c1 ^ load<u32>(p, 4), c2 ^ load<u32>(p, 8), c3 ^ load<u32>(p, 12));
    c0 = B0;
    c1 = B1;
    c2 = B2;
    c3 = B3;
    store<u32>(p, c0);
    store<u32>(p, c1, 4);
    store<u32>(p, c2, 8);
    store<u32>(p, c3, 12);
  }
}

/** CBC-decrypts `len` bytes (a multiple of 16) at `p` in place with inverse keys `dk`. */
export function cbcDecrypt(dk: usize, nr: i32, iv: usize, p: usize, len: usize): void {
  let c0 = load<u32>(iv);
  let c1 = load<u32>(iv, 4);
  let c2 = load<u32>(iv, 8);
  let c3 = load<u32>(iv, 12);
  const end = p + (len & ~15);
  for (; p < end; p += 16) {
    const n0 = load<u32>(p);
    const n1 = load<u32>(p, 4);
    const n2 = load<u32>(p, 8);
    const n3 = load<u32>(p, 12);
    aesDecryptBlock(dk, nr, n0, n1, n2, n3);
    store<u32>(p, B0 ^ c0);
    store<u32>(p, B1 ^ c1, 4);
    store<u32>(p, B2 ^ c2, 8);
    store<u32>(p, B3 ^ c3, 12);
    c0 = n0;
    c1 = n1;
    c2 = n2;
    c3 = n3;
  }
}

/**
 * XORs the CTR keystream into `len` bytes at `p`. Counter block = 12 bytes at `nonce`
 * || 32-bit big-endian counter starting at `ctr` (incremented mod 2^32 per block).
 */
export function ctrXor(rk: usize, nr: i32, nonce: usize, ctr: u32, p: usize, len: usize): void {
  const n0 = load<u32>(nonce);
  const n1 = load<u32>(nonce, 4);
  const n2 = load<u32>(nonce, 8);
  const end = p + (len & ~15);
  for (; p < end; p += 16) {
    aesEncryptBlock(rk, nr, n0, n1, n2, bswap<u32>(ctr++));
    store<u32>(p, load<u32>(p) ^ B0);
    store<u32>(p, load<u32>(p, 4) ^ B1, 4);
    store<u32>(p, load<u32>(p, 8) ^ B2, 8);
    store<u32>(p, load<u32>(p, 12) ^ B3, 12);
  }
  const rest = len & 15;
  if (rest !== 0) {
    aesEncryptBlock(rk, nr, n0, n1, n2, bswap<u32>(ctr));
    const ks = KS;
    store<u32>(ks, B0);
    store<u32>(ks, B1, 4);
    store<u32>(ks, B2, 8);
    store<u32>(ks, B3, 12);
    for (let i: usize = 0; i < rest; i++) store<u8>(p + i, load<u8>(p + i) ^ load<u8>(ks + i));
  }
}

const KS: usize = memory.data(16, 16);
