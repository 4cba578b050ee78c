// Exported crypto entry points for the TypeScript facade (src/esp/crypto.ts): streaming
// SHA/HMAC contexts for the control plane and AES-CBC / AES-GCM over a key context.
// Contexts and I/O buffers are allocated once by the caller through cryptoAlloc().
import { aesExpandKey, aesTablesInit } from "./aes";
import { gcmHashKey, gcmTag, ghashInit } from "./gcm";
import { ctEqual, hmacKeys } from "./hmac";
import { cbcDecrypt, cbcEncrypt, ctrXor } from "./modes";
import { shaBlocks, shaDigest, shaDigestLen, shaInitState } from "./sha";

/** Initialises tables (idempotent). Call once after instantiation. */
export function cryptoInit(): void {
  aesTablesInit();
}

/** Allocates `size` bytes of WASM memory (init/install time only; never freed). */
export function cryptoAlloc(size: usize): usize {
  const p = heap.alloc(size + 16);
  return (p + 15) & ~15;
}

// Streaming hash context: h(32) buf(64) bufLen(u32@96) alg(u32@100) total(u64@104) ostate(32@112) hmac(u32@144).
export const SHA_CTX_BYTES: i32 = 160;
const TMPD: usize = memory.data(32, 16);

export function shaCtxInit(ctx: usize, alg: i32): void {
  shaInitState(alg, ctx);
  store<u32>(ctx, 0, 96);
  store<u32>(ctx, alg, 100);
  store<u64>(ctx, 0, 104);
  store<u32>(ctx, 0, 144);
}

export function hmacCtxInit(ctx: usize, alg: i32, key: usize, keyLen: usize): void {
  shaCtxInit(ctx, alg);
  hmacKeys(alg, key, keyLen, ctx, ctx + 112);
  store<u64>(ctx, 64, 104);
  store<u32>(ctx, 1, 144);
}

export function shaCtxUpdate(ctx: usize, p: usize, len: usize): void {
  const alg = load<i32>(ctx, 100);
  let fill = <usize>load<u32>(ctx, 96);
  if (fill > 0) {
    const take = min<usize>(64 - fill, len);
    memory.copy(ctx + 32 + fill, p, take);
    fill += take;
    p += take;
    len -= take;
    if (fill < 64) {
      store<u32>(ctx, <u32>fill, 96);
      return;
    }
    shaBlocks(alg, ctx, ctx + 32, 1);
    store<u64>(ctx, load<u64>(ctx, 104) + 64, 104);
    fill = 0;
  }
  const n = len >> 6;
  if (n > 0) {
    shaBlocks(alg, ctx, p, n);
    store<u64>(ctx, load<u64>(ctx, 104) + (<u64>n << 6), 104);
  }
  const rest = len & 63;
  memory.copy(ctx + 32, p + (n << 6), rest);
  store<u32>(ctx, <u32>rest, 96);
}

/** Writes the digest (or HMAC) to `out`; returns its length. */
export function shaCtxFinal(ctx: usize, out: usize): i32 {
  const alg = load<i32>(ctx, 100);
  const dlen = shaDigestLen(alg);
  shaDigest(alg, ctx, ctx + 32, load<u32>(ctx, 96), load<u64>(ctx, 104), TMPD);
  if (load<u32>(ctx, 144)) {
    memory.copy(ctx, ctx + 112, 32);
    shaDigest(alg, ctx, TMPD, dlen, 64, TMPD);
  }
  memory.copy(out, TMPD, dlen);
  return dlen;
}

// AES key context: ek(240@0) dk(240@240) nr(u32@480) GHASH tables(65536@512).
export const AES_CTX_BYTES: i32 = 512 + 65536;

/** Expands `key` (16/24/32 bytes) into `ctx`; with gcm !== 0 also the GHASH table. Returns rounds or 0. */
export function aesCtxInit(ctx: usize, key: usize, keyLen: i32, gcm: i32): i32 {
  aesTablesInit();
  const nr = aesExpandKey(key, keyLen, ctx, ctx + 240);
  store<u32>(ctx, nr, 480);
  if (nr !== 0 && gcm !== 0) {
    gcmHashKey(ctx, nr, TMPD);
    ghashInit(ctx + 512, TMPD);
  }
  return nr;
}

export function aesCbcEncrypt(ctx: usize, iv: usize, p: usize, len: usize): void {
  cbcEncrypt(ctx, load<i32>(ctx, 480), iv, p, len);
}

export function aesCbcDecrypt(ctx: usize, iv: usize, p: usize, len: usize): void {
  cbcDecrypt(ctx + 240, load<i32>(ctx, 480), iv, p, len);
}

export function aesCtr(ctx: usize, nonce: usize, ctr: u32, p: usize, len: usize): void {
  ctrXor(ctx, load<i32>(ctx, 480), nonce, ctr, p, len);
}

/** GCM seal in place; 16-byte tag to `tag`. */
export function aesGcmSeal(ctx: usize, nonce: usize, aad: usize, aadLen: usize, p: usize, len: usize, tag: usize): void {
  const nr = load<i32>(ctx, 480);
  ctrXor(ctx, nr, nonce, 2, p, len);
  gcmTag(ctx, nr, ctx + 512, nonce, aad, aadLen, p, len, tag);
}

/** GCM open in place: 1 when the tag at `tag` (tagLen bytes) verifies (then decrypts), else 0. */
export function aesGcmOpen(ctx: usize, nonce: usize, aad: usize, aadLen: usize, p: usize, len: usize, tag: usize, tagLen: usize): i32 {
  const nr = load<i32>(ctx, 480);
  gcmTag(ctx, nr, ctx + 512, nonce, aad, aadLen, p, len, TMPD);
  if (!ctEqual(TMPD, tag, tagLen)) return 0;
  ctrXor(ctx, nr, nonce, 2, p, len);
  return 1;
}

export { ctEqual };
