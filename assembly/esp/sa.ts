// Security Association table (RFC 4303 §1, RFC 7402 §5). Each SA is one fixed-size slot
// allocated at install time (reused after removal) holding the key schedules, precomputed
// HMAC states, GHASH table, counters and the anti-replay bitmap. Inbound SAs are found by SPI.
import { aesExpandKey, aesTablesInit } from "../crypto/aes";
import { vpKeyExpand128 } from "../crypto/aes-vperm";
import { GHASH_TABLE_BYTES, gcmHashKey, ghashInit } from "../crypto/gcm";
import { hmacKeys } from "../crypto/hmac";
import { ALG_SHA1, ALG_SHA256 } from "../crypto/sha";

// RFC 7402 §5.1.2 ESP transform suite IDs.
export const SUITE_AES128_SHA1: u32 = 1;
export const SUITE_NULL_SHA256: u32 = 7;
export const SUITE_AES128_SHA256: u32 = 8;
export const SUITE_AES256_SHA256: u32 = 9;
export const SUITE_AES_GCM16: u32 = 13;

export const DIR_IN: u32 = 1;
export const DIR_OUT: u32 = 2;

// Slot layout (byte offsets).
export const SA_SPI: usize = 0;
export const SA_SUITE: usize = 4;
export const SA_DIR: usize = 8;
export const SA_NR: usize = 12;
export const SA_SEQ: usize = 16; // u64: outbound last sent; inbound highest authenticated (T)
export const SA_IVCTR: usize = 24; // u64 IV counter
export const SA_IVMASK: usize = 32; // u64 GCM IV mask
export const SA_WINDOW: usize = 40; // u32 replay window in bits (multiple of 32)
export const SA_ICVLEN: usize = 44;
export const SA_NEXT: usize = 48; // SPI hash chain
export const SA_ALG: usize = 52; // HMAC hash (0 for GCM)
export const SA_SALT: usize = 56; // RFC 4106 §4 salt (4 bytes)
export const SA_IVLEN: usize = 60;
export const SA_ST_OK: usize = 64; // u64 counters: ok packets, ok bytes, auth, replay, malformed, rekey
export const SA_ST_BYTES: usize = 72;
export const SA_ST_AUTH: usize = 80;
export const SA_ST_REPLAY: usize = 88;
export const SA_ST_MALFORMED: usize = 96;
export const SA_ST_REKEY: usize = 104;
export const SA_ISTATE: usize = 128;
export const SA_OSTATE: usize = 160;
export const SA_EK: usize = 192;
export const SA_DK: usize = 432;
export const SA_IVK: usize = 672;
export const SA_BITMAP: usize = 912; // up to 4096 bits
export const SA_GHASH: usize = 120; // pointer to the GCM GHASH tables (allocated once per slot, on first use)
// AES-GCM SAs have no HMAC states: until the first packet, SA_ISTATE holds the hash subkey H and
// SA_OSTATE whether the 64 KiB GHASH tables are built (ghashOf). An SA that never carries a
// packet never builds them (≈ 4 × 64 KiB written per association with install and wipe).
const SA_GCM_H: usize = SA_ISTATE;
const SA_GCM_READY: usize = SA_OSTATE;
export const SA_VEK: usize = 1424; // AES-128 only: vector-permute schedules (crypto/aes-vperm.ts)
export const SA_VDK: usize = 1600;
export const SA_BYTES: usize = 1792;

export const MAX_SA: u32 = 4096;
export const MAX_WINDOW: u32 = 4096;
const BUCKETS: u32 = 4096;

const SLOTS: usize = memory.data(<i32>(MAX_SA + 1) * 4, 16); // handle -> slot pointer (0 = never allocated)
const LIVE: usize = memory.data(<i32>(MAX_SA + 1), 16); // handle in use
const HEADS: usize = memory.data(<i32>BUCKETS * 4, 16); // SPI bucket -> first inbound handle
const IVZERO: usize = memory.data(32, 16);

function bucket(spi: u32): usize {
  return <usize>((spi * 0x9e3779b1) >>> 20) << 2;
}

/** Slot pointer of a live handle, or 0. */
export function saPtr(h: u32): usize {
  if (h === 0 || h > MAX_SA || !load<u8>(LIVE + h)) return 0;
  return load<usize>(SLOTS + (<usize>h << 2));
}

/** Inbound SA handle for `spi`, or 0. */
export function saLookup(spi: u32): u32 {
  let h = load<u32>(HEADS + bucket(spi));
  while (h !== 0) {
    const sa = load<usize>(SLOTS + (<usize>h << 2));
    if (load<u32>(sa, SA_SPI) === spi) return h;
    h = load<u32>(sa, SA_NEXT);
  }
  return 0;
}

export const ERR_PARAMS: i32 = -1;
export const ERR_DUP_SPI: i32 = -2;
export const ERR_FULL: i32 = -3;

/**
 * Installs an SA. Keys at `keys`: enc key (encLen) || auth key (authLen) || IV seed (seedLen).
 * RFC 7402 §7 draws the ESP enc key before the auth key from KEYMAT; for AES-GCM the enc key
 * is the AES key followed by the 4-byte salt (RFC 4106 §8.1). Returns a handle ≥ 1 or ERR_*.
 */
export function saInstall(
  spi: u32, suite: u32, dir: u32, keys: usize, encLen: i32, authLen: i32, seedLen: i32,
  window: u32, initialSeq: u64,
): i32 {
  aesTablesInit();
  let alg: i32 = 0, icv: u32 = 16, ivLen: u32 = 16, aesLen: i32 = 16;
  if (suite === SUITE_AES128_SHA1) { alg = ALG_SHA1; icv = 12; if (encLen !== 16 || authLen !== 20) return ERR_PARAMS; }
  else if (suite === SUITE_NULL_SHA256) { alg = ALG_SHA256; ivLen = 0; aesLen = 0; if (encLen !== 0 || authLen !== 32) return ERR_PARAMS; }
  else if (suite === SUITE_AES128_SHA256) { alg = ALG_SHA256; if (encLen !== 16 || authLen !== 32) return ERR_PARAMS; }
  else if (suite === SUITE_AES256_SHA256) { alg = ALG_SHA256; aesLen = 32; if (encLen !== 32 || authLen !== 32) return ERR_PARAMS; }
  else if (suite === SUITE_AES_GCM16) { ivLen = 8; aesLen = encLen - 4; if ((encLen !== 20 && encLen !== 36) || authLen !== 0) return ERR_PARAMS; }
  else return ERR_PARAMS;
  if (dir !== DIR_IN && dir !== DIR_OUT) return ERR_PARAMS;
  if (window === 0) window = 1024;
  if (window > MAX_WINDOW) return ERR_PARAMS;
  window = (window + 31) & ~31;
  if (dir === DIR_IN && saLookup(spi) !== 0) return ERR_DUP_SPI;
  let h: u32 = 1;
  while (h <= MAX_SA && load<u8>(LIVE + h)) h++;
  if (h > MAX_SA) return ERR_FULL;
  let sa = load<usize>(SLOTS + (<usize>h << 2));
  if (sa === 0) {
    sa = (heap.alloc(SA_BYTES + 16) + 15) & ~15;
    store<usize>(SLOTS + (<usize>h << 2), sa);
  }
  const ghash = load<usize>(sa, SA_GHASH);
  memory.fill(sa, 0, SA_BYTES);
  store<usize>(sa, ghash, SA_GHASH);
  store<u32>(sa, spi, SA_SPI);
  store<u32>(sa, suite, SA_SUITE);
  store<u32>(sa, dir, SA_DIR);
  store<u32>(sa, window, SA_WINDOW);
  store<u32>(sa, icv, SA_ICVLEN);
  store<u32>(sa, ivLen, SA_IVLEN);
  store<u32>(sa, alg, SA_ALG);
  store<u64>(sa, initialSeq, SA_SEQ);
  const auth = keys + <usize>encLen;
  const seed = auth + <usize>authLen;
  if (aesLen > 0) {
    const nr = aesExpandKey(keys, aesLen, sa + SA_EK, suite === SUITE_AES_GCM16 ? 0 : sa + SA_DK);
    store<u32>(sa, nr, SA_NR);
    if (nr === 10) vpKeyExpand128(keys, sa + SA_VEK, suite === SUITE_AES_GCM16 ? 0 : sa + SA_VDK);
  }
  if (alg !== 0) hmacKeys(alg, auth, <usize>authLen, sa + SA_ISTATE, sa + SA_OSTATE);
  if (suite === SUITE_AES_GCM16) {
    store<u32>(sa, load<u32>(keys + <usize>aesLen), SA_SALT);
    gcmHashKey(sa + SA_EK, load<i32>(sa, SA_NR), sa + SA_GCM_H); // tables: ghashOf, at first use
    if (seedLen >= 8) store<u64>(sa, load<u64>(seed), SA_IVMASK);
  } else if (ivLen === 16) {
    // CBC IV = AES_k'(IV counter) with k' = IV seed (16 bytes) or, absent a seed, the enc key
    // schedule run twice (k' = AES_k(0^128)): unpredictable without the key (RFC 4303 §3.2).
    if (seedLen >= 16) aesExpandKey(seed, 16, sa + SA_IVK, 0);
    else {
      store<u64>(IVZERO, 0);
      store<u64>(IVZERO, 0, 8);
      gcmHashKey(sa + SA_EK, load<i32>(sa, SA_NR), IVZERO);
      aesExpandKey(IVZERO, 16, sa + SA_IVK, 0);
      memory.fill(IVZERO, 0, 16);
    }
  }
  store<u8>(LIVE + h, 1);
  if (dir === DIR_IN) {
    store<u32>(sa, load<u32>(HEADS + bucket(spi)), SA_NEXT);
    store<u32>(HEADS + bucket(spi), h);
  }
  return <i32>h;
}

/** Removes an SA and wipes its keys. Returns 1 when it existed. */
export function saRemove(h: u32): i32 {
  const sa = saPtr(h);
  if (sa === 0) return 0;
  if (load<u32>(sa, SA_DIR) === DIR_IN) {
    const b = HEADS + bucket(load<u32>(sa, SA_SPI));
    let prev: usize = 0;
    let cur = load<u32>(b);
    while (cur !== 0 && cur !== h) {
      prev = load<usize>(SLOTS + (<usize>cur << 2));
      cur = load<u32>(prev, SA_NEXT);
    }
    const next = load<u32>(sa, SA_NEXT);
    if (prev === 0) store<u32>(b, next);
    else store<u32>(prev, next, SA_NEXT);
  }
  const ghash = load<usize>(sa, SA_GHASH);
  // Built tables reveal H (forgeries): wiped. Unbuilt ones are still zero from the last wipe.
  if (ghash !== 0 && load<u32>(sa, SA_GCM_READY) !== 0) memory.fill(ghash, 0, GHASH_TABLE_BYTES);
  memory.fill(sa, 0, SA_BYTES);
  store<usize>(sa, ghash, SA_GHASH);
  store<u8>(LIVE + h, 0);
  return 1;
}

/** The GHASH tables of AES-GCM SA `sa`, built from H (and H wiped) on the first call. */
export function ghashOf(sa: usize): usize {
  let ghash = load<usize>(sa, SA_GHASH);
  if (load<u32>(sa, SA_GCM_READY) !== 0) return ghash;
  if (ghash === 0) {
    ghash = (heap.alloc(GHASH_TABLE_BYTES + 16) + 15) & ~15;
    store<usize>(sa, ghash, SA_GHASH);
  }
  ghashInit(ghash, sa + SA_GCM_H);
  memory.fill(sa + SA_GCM_H, 0, 16);
  store<u32>(sa, 1, SA_GCM_READY);
  return ghash;
}
