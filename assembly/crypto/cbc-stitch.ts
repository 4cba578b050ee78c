// ESP open for AES-128-CBC with HMAC-SHA-256-128 (RFC 4868) with the inner hash and the CBC
// decryption "stitched" (cbc-stitch.gen.ts): SHA-256 is a chain of scalar integer rounds, the
// vector-permute AES runs on the vector units, so one loop doing both keeps more of the CPU busy
// than the two passes one after the other. The decryption rides along only where the hash has
// already read the bytes it overwrites; the rest is decrypted after the ICV check (packet.ts).
import { ALG_SHA256, shaDigest } from "./sha";
import { sha256Blocks } from "./sha256";
import { sha256CbcDec4 } from "./cbc-stitch.gen";

const WORK: usize = memory.data(32, 16);
const INNER: usize = memory.data(32, 16);
/** After hmacSha256CbcOpen: the last ciphertext block it decrypted (the IV of the rest). */
export const CBC_CHAIN: usize = memory.data(16, 16);

/**
 * HMAC-SHA-256 (RFC 2104; precomputed `istate` / `ostate`) of the `hdr + ctLen` bytes at `pkt`
 * into `mac` (32 bytes), CBC-decrypting in place, on the way, a prefix of the ciphertext at
 * `pkt + hdr` (IV at `iv`, inverse vector-permute schedule `dk`). Returns the prefix's length (a
 * multiple of 64, maybe 0); CBC_CHAIN holds its last ciphertext block. Requires hdr ≤ 64.
 */
export function hmacSha256CbcOpen(dk: usize, istate: usize, ostate: usize, pkt: usize, hdr: usize, iv: usize, ctLen: usize, mac: usize): usize {
  const len = hdr + ctLen;
  memory.copy(WORK, istate, 32);
  v128.store(CBC_CHAIN, v128.load(iv));
  let n: usize = 0;
  if (len >= 128) {
    // Iteration i hashes block i + 1 and decrypts bytes hdr + 64i .. hdr + 64i + 63, all read by
    // then (blocks 0 .. i + 1, as hdr ≤ 64).
    sha256Blocks(WORK, pkt, 1);
    n = min((len >> 6) - 1, ctLen >> 6);
    sha256CbcDec4(WORK, pkt + 64, dk, pkt + hdr, n, CBC_CHAIN);
  }
  const hashed: usize = n === 0 ? 0 : (n + 1) << 6;
  shaDigest(ALG_SHA256, WORK, pkt + hashed, len - hashed, 64 + <u64>hashed, INNER);
  memory.copy(WORK, ostate, 32);
  shaDigest(ALG_SHA256, WORK, INNER, 32, 64, mac);
  return n << 6;
}
