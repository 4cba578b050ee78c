// Exported ESP entry points: SA install/remove/stats and the batch seal/open over one buffer.
// Batch buffer at `base` (`size` bytes): n entries of 32 bytes, then packet bytes anywhere after.
// Entry: off u32 | len u32 | sa u32 | status u32 | nextHeader u32 | seq u32 | spi u32 | payloadOff u32
// (offsets relative to base). docs/PROTOCOL.md §6 documents the fields per direction.
import { OPEN_GO, openCheck, openNextHeader, openPacket, openPayloadLen, openPayloadOff, SEAL_OVERHEAD, sealBody, sealPacket,
  setVpModes, ST_BAD_SA, ST_MALFORMED, ST_NO_SPACE, ST_OK, ST_UNKNOWN_SPI } from "./packet";
import { mbAdd, mbEnabled, mbOpenFlush, mbSealFlush } from "./batch-mb";
import {
  DIR_OUT, SA_ALG, SA_DIR, SA_ICVLEN, SA_IVLEN, SA_SEQ, SA_SPI, SA_ST_AUTH, SA_ST_BYTES, SA_ST_MALFORMED, SA_ST_OK, SA_ST_REKEY,
  SA_ST_REPLAY, SA_SUITE, saInstall, saLookup, saPtr, saRemove,
} from "./sa";
import { ALG_SHA256 } from "../crypto/sha";
import { inetSum, udpChecksumFill } from "./inet";

export const ESP_ENTRY_BYTES: u32 = 32;

export function espSaInstall(
  spi: u32, suite: u32, dir: u32, keys: usize, encLen: i32, authLen: i32, seedLen: i32,
  window: u32, initialSeq: f64,
): i32 {
  return saInstall(spi, suite, dir, keys, encLen, authLen, seedLen, window, <u64>initialSeq);
}

/**
 * Sets the ICV length of an HMAC-SHA-256 SA (suites 7, 8, 9): 16 (RFC 4868 HMAC-SHA-256-128, the
 * default) or 32 (the untruncated HMAC, for peers that send it, docs/PROTOCOL.md §11.5).
 * Returns 1, or 0 for an unknown handle / other suite / other length.
 */
export function espSaSetIcvLen(h: u32, icv: u32): i32 {
  const sa = saPtr(h);
  if (sa === 0 || load<u32>(sa, SA_ALG) !== ALG_SHA256 || (icv !== 16 && icv !== 32)) return 0;
  store<u32>(sa, icv, SA_ICVLEN);
  return 1;
}

export function espSaRemove(h: u32): i32 {
  return saRemove(h);
}

export function espSaLookup(spi: u32): u32 {
  return saLookup(spi);
}

/** Writes 8 f64 to `out`: spi, suite, dir, seq, ok, bytes, auth, replay; then malformed, rekey. Returns 0 if no SA. */
export function espSaStats(h: u32, out: usize): i32 {
  const sa = saPtr(h);
  if (sa === 0) return 0;
  store<f64>(out, <f64>load<u32>(sa, SA_SPI));
  store<f64>(out, <f64>load<u32>(sa, SA_SUITE), 8);
  store<f64>(out, <f64>load<u32>(sa, SA_DIR), 16);
  store<f64>(out, <f64>load<u64>(sa, SA_SEQ), 24);
  store<f64>(out, <f64>load<u64>(sa, SA_ST_OK), 32);
  store<f64>(out, <f64>load<u64>(sa, SA_ST_BYTES), 40);
  store<f64>(out, <f64>load<u64>(sa, SA_ST_AUTH), 48);
  store<f64>(out, <f64>load<u64>(sa, SA_ST_REPLAY), 56);
  store<f64>(out, <f64>load<u64>(sa, SA_ST_MALFORMED), 64);
  store<f64>(out, <f64>load<u64>(sa, SA_ST_REKEY), 72);
  return 1;
}

/** Seal entry nextHeader word, bit 8: fill the BEET UDP checksum first (espSealBatch). */
const BATCH_UDP: u32 = 0x100;

// Per-packet entry points (no entry table): results besides the return value go to RESULT,
// 8 u32: handle, status, nextHeader, seq, spi, payloadOff (relative to pkt), payloadLen,
// payload checksum sum (inet.ts; open only, 0 otherwise).
const RESULT: usize = memory.data(32, 16);

/** Address of the per-packet result words (fixed for the module's lifetime). */
export function espResultPtr(): usize {
  return RESULT;
}

/** Packet length sealing `plen` payload bytes with SA `sa` produces (RFC 4303 §2.4 padding). */
function sealedLen(sa: usize, plen: u32): u32 {
  const ivLen = load<u32>(sa, SA_IVLEN);
  const block: u32 = ivLen === 16 ? 16 : 4;
  const ct = (plen + 2 + block - 1) & ~(block - 1);
  return 8 + ivLen + ct + load<u32>(sa, SA_ICVLEN);
}

/**
 * Seals one packet in place: the `plen`-byte payload at `pkt` becomes the ESP packet starting at
 * `pkt`, which must have room for `cap` bytes. Returns the packet length, or -status (no sequence
 * number is used when it does not fit in `cap`). On success RESULT holds seq and spi.
 */
export function espSeal(h: u32, nh: u32, pkt: usize, plen: u32, cap: u32): i32 {
  const sa = saPtr(h);
  if (sa === 0 || load<u32>(sa, SA_DIR) !== DIR_OUT) return -ST_BAD_SA;
  if (plen > 65535 || sealedLen(sa, plen) > cap) return -ST_NO_SPACE;
  const r = sealPacket(sa, nh & 0xff, pkt, plen);
  if (r > 0) {
    store<u32>(RESULT, <u32>load<u64>(sa, SA_SEQ), 12);
    store<u32>(RESULT, load<u32>(sa, SA_SPI), 16);
  }
  return r;
}

/**
 * espSeal for a BEET UDP segment (RFC 7402 §3.1): the `plen` bytes at `pkt` are a UDP header
 * (RFC 768) and data whose checksum field is filled here from `pseudo`, the unfolded sum of the
 * pseudo-header (HITs, length, next header 17; RFC 8200 §8.1), before sealing with next header 17.
 */
export function espSealUdp(h: u32, pkt: usize, plen: u32, cap: u32, pseudo: f64): i32 {
  if (!udpChecksumFill(pkt, plen, <u64>pseudo)) return -ST_MALFORMED;
  return espSeal(h, 17, pkt, plen, cap);
}

/** Internet checksum sum (RFC 1071, folded, network order) of `len` bytes at `p`. */
export function espInetSum(p: usize, len: u32): u32 {
  return inetSum(p, len);
}

/** Opens the `len`-byte packet at `pkt` in place; returns the status, details in RESULT. */
export function espOpen(pkt: usize, len: u32): i32 {
  let st = ST_MALFORMED;
  let h: u32 = 0;
  let spi: u32 = 0;
  let seq: u32 = 0;
  store<u64>(RESULT, 0, 8);
  store<u64>(RESULT, 0, 16);
  store<u64>(RESULT, 0, 24);
  if (len >= 8) {
    spi = bswap<u32>(load<u32>(pkt));
    seq = bswap<u32>(load<u32>(pkt, 4));
    h = saLookup(spi);
    if (h === 0) st = ST_UNKNOWN_SPI;
    else {
      st = openPacket(saPtr(h), pkt, len);
      if (st === ST_OK) {
        store<u32>(RESULT, openNextHeader, 8);
        store<u32>(RESULT, <u32>openPayloadOff, 20);
        store<u32>(RESULT, <u32>openPayloadLen, 24);
        // The payload's Internet checksum sum (RFC 1071), for the BEET UDP check in the host.
        store<u32>(RESULT, inetSum(pkt + openPayloadOff, openPayloadLen), 28);
      }
    }
  }
  store<u32>(RESULT, h);
  store<u32>(RESULT, <u32>st, 4);
  store<u32>(RESULT, seq, 12);
  store<u32>(RESULT, spi, 16);
  return st;
}

/**
 * Seals n packets: in: off, len (payload), sa, nextHeader; out: len (packet), status, seq, spi.
 * Returns #ok. The nextHeader word: bits 0-7 the next header; bit 8 (BATCH_UDP) asks for the
 * BEET UDP checksum of the payload (a UDP header + data) to be filled first from the folded
 * pseudo-header sum in bits 16-31 (docs/PROTOCOL.md §6).
 */
export function espSealBatch(base: usize, size: u32, n: u32): u32 {
  let ok: u32 = 0;
  const tableEnd = <u64>n * ESP_ENTRY_BYTES;
  if (tableEnd > <u64>size) return 0;
  const mb = mbEnabled();
  for (let i: u32 = 0; i < n; i++) {
    const e = base + <usize>(i * ESP_ENTRY_BYTES);
    const off = load<u32>(e);
    const len = load<u32>(e, 4);
    let st = ST_OK;
    const sa = saPtr(load<u32>(e, 8));
    const nhw = load<u32>(e, 16);
    if (<u64>off < tableEnd || <u64>off + <u64>len + SEAL_OVERHEAD > <u64>size || len > 65535) st = ST_NO_SPACE;
    else if (sa === 0 || load<u32>(sa, SA_DIR) !== DIR_OUT) st = ST_BAD_SA;
    else if ((nhw & BATCH_UDP) !== 0 && !udpChecksumFill(base + off, len, <u64>(nhw >>> 16))) st = ST_MALFORMED;
    else {
      // HMAC suites: the ICV is computed later, four packets at a time (batch-mb.ts).
      const defer = mb && load<i32>(sa, SA_ALG) !== 0;
      const r = sealBody(sa, nhw & 0xff, base + off, len, !defer);
      if (r < 0) st = -r;
      else {
        if (defer && mbAdd(e, sa, base + off, <usize>(r - <i32>load<u32>(sa, SA_ICVLEN)), 0, 0)) mbSealFlush();
        store<u32>(e, <u32>r, 4);
        store<u32>(e, <u32>load<u64>(sa, SA_SEQ), 20);
        store<u32>(e, load<u32>(sa, SA_SPI), 24);
        store<u32>(e, off, 28);
        ok++;
      }
    }
    store<u32>(e, <u32>st, 12);
  }
  mbSealFlush();
  return ok;
}

/**
 * Opens n packets in place: in: off, len; out: sa, status, nextHeader, seq, spi, payloadOff, len
 * (payload). The nextHeader word out: bits 0-7 the next header, bits 16-31 the payload's folded
 * RFC 1071 sum (inet.ts: the BEET UDP check is then a few adds).
 */
export function espOpenBatch(base: usize, size: u32, n: u32): u32 {
  let ok: u32 = 0;
  const tableEnd = <u64>n * ESP_ENTRY_BYTES;
  if (tableEnd > <u64>size) return 0;
  const mb = mbEnabled();
  for (let i: u32 = 0; i < n; i++) {
    const e = base + <usize>(i * ESP_ENTRY_BYTES);
    const off = load<u32>(e);
    const len = load<u32>(e, 4);
    let st = ST_OK;
    let h: u32 = 0;
    let spi: u32 = 0;
    let seq: u32 = 0;
    store<u32>(e, 0, 16);
    store<u32>(e, off, 28);
    if (<u64>off < tableEnd || <u64>off + <u64>len > <u64>size) st = ST_NO_SPACE;
    else if (len < 8) st = ST_MALFORMED;
    else {
      const pkt = base + off;
      spi = bswap<u32>(load<u32>(pkt));
      seq = bswap<u32>(load<u32>(pkt, 4));
      h = saLookup(spi);
      const sa = saPtr(h);
      const defer = h !== 0 && mb && load<i32>(sa, SA_ALG) !== 0;
      if (defer) st = openCheck(sa, pkt, len);
      if (h === 0) st = ST_UNKNOWN_SPI;
      else if (defer && st === OPEN_GO) {
        // HMAC suites: ICV four packets at a time, the packet finished in the flush (batch-mb.ts).
        store<u32>(e, h, 8);
        store<u32>(e, seq, 20);
        store<u32>(e, spi, 24);
        if (mbAdd(e, sa, pkt, len - load<u32>(sa, SA_ICVLEN), len, off)) ok += mbOpenFlush();
        continue;
      } else if (st === ST_OK) {
        st = openPacket(sa, pkt, len);
        if (st === ST_OK) {
          store<u32>(e, <u32>openPayloadLen, 4);
          store<u32>(e, openNextHeader | (inetSum(pkt + openPayloadOff, openPayloadLen) << 16), 16);
          store<u32>(e, off + <u32>openPayloadOff, 28);
          ok++;
        }
      }
    }
    if (st !== ST_OK) store<u32>(e, 0, 4);
    store<u32>(e, h, 8);
    store<u32>(e, <u32>st, 12);
    store<u32>(e, seq, 20);
    store<u32>(e, spi, 24);
  }
  return ok + mbOpenFlush();
}

/** Selects the AES-128 implementation per mode (bits: 1 GCM CTR, 2 CBC encrypt, 4 CBC decrypt use the vector-permute AES; 8 stitches CTR and GHASH; 16 computes a batch's HMACs four packets at a time; 32 opens AES-128-CBC + HMAC-SHA-256 hashing and decrypting in one loop; 0 = the T-table code as before; default 61). For A/B benchmarks. */
export function espSetAesVperm(mask: u32): void {
  setVpModes(mask);
}
