// ESP packet protection (RFC 4303 §3.3 outbound, §3.4 inbound) for the suites of RFC 7402 §5.1.2.
// Packet: SPI(4) | Seq(4) | IV(0/8/16) | ciphertext(payload | padding 1,2,3.. | pad len | next hdr) | ICV.
import { aesEncryptBlock, B0, B1, B2, B3 } from "../crypto/aes";
import { gcmTag } from "../crypto/gcm";
import { ctEqual, hmacCompute } from "../crypto/hmac";
import { cbcDecrypt, cbcEncrypt, ctrXor } from "../crypto/modes";
import { cbcDecryptVp, cbcEncryptVp, ctrXorVp } from "../crypto/modes-vperm";
import { gcmOpenStitched, gcmSealStitched } from "../crypto/gcm-stitch";
import { CBC_CHAIN, hmacSha256CbcOpen } from "../crypto/cbc-stitch";
import { ALG_SHA256 } from "../crypto/sha";
import { replayCheck, replayUpdate } from "./replay";
import {
  SA_ALG, SA_DK, SA_EK, SA_ICVLEN, SA_ISTATE, SA_IVCTR, SA_IVK, SA_IVLEN, SA_IVMASK, SA_NR,
  SA_OSTATE, SA_SALT, SA_SEQ, SA_SPI, SA_ST_AUTH, SA_ST_BYTES, SA_ST_MALFORMED, SA_ST_OK, SA_ST_REKEY,
  SA_ST_REPLAY, SA_VDK, SA_VEK, ghashOf,
} from "./sa";

export const ST_OK: i32 = 0;
export const ST_AUTH: i32 = 1;
export const ST_REPLAY: i32 = 2;
export const ST_MALFORMED: i32 = 3;
export const ST_UNKNOWN_SPI: i32 = 4;
export const ST_REKEY: i32 = 5;
export const ST_BAD_SA: i32 = 6;
export const ST_NO_SPACE: i32 = 7;

/** Worst-case growth of a payload when sealed: header 8 + IV 16 + pad 15 + 2 + ICV 32 (< 80). */
export const SEAL_OVERHEAD: u32 = 80;

const NONCE: usize = memory.data(16, 16);

// Which AES-128 mode paths use the vector-permute AES (crypto/aes-vperm.ts) instead of the
// T-tables: bit 0 CTR (GCM), bit 1 CBC encryption, bit 2 CBC decryption. Settable for A/B benches.
export const VP_CTR: u32 = 1;
export const VP_CBC_ENC: u32 = 2;
export const VP_CBC_DEC: u32 = 4;
export const GCM_STITCH: u32 = 8; // CTR and GHASH in one loop (crypto/gcm-stitch.ts)
export const MB_HMAC: u32 = 16; // batches compute HMACs four packets at a time (esp/batch-mb.ts)
export const CBC_STITCH: u32 = 32; // open, AES-128-CBC + HMAC-SHA-256: hash and decrypt in one loop (crypto/cbc-stitch.ts)
// Default from bench/esp-ab.ts: the vector-permute AES wins where four blocks run in parallel
// (GCM; CBC decryption of at least VP_CBC_DEC_MIN bytes) and loses for serial CBC encryption.
export let vpModes: u32 = VP_CTR | VP_CBC_DEC | GCM_STITCH | MB_HMAC | CBC_STITCH;
const VP_CBC_DEC_MIN: usize = 128;
const CBC_STITCH_MIN: usize = 128;
export function setVpModes(m: u32): void {
  vpModes = m;
}

function vekOf(sa: usize, nr: i32): usize {
  return nr === 10 && (vpModes & VP_CTR) !== 0 ? sa + SA_VEK : 0;
}

function ctrAny(sa: usize, nr: i32, body: usize, len: usize): void {
  if (nr === 10 && (vpModes & VP_CTR) !== 0) ctrXorVp(sa + SA_VEK, NONCE, 2, body, len);
  else ctrXor(sa + SA_EK, nr, NONCE, 2, body, len);
}
const MAC: usize = memory.data(32, 16);

function bump(sa: usize, field: usize, by: u64): void {
  store<u64>(sa + field, load<u64>(sa + field) + by);
}

/** Seals the `plen`-byte payload at `pkt` in place (it is moved up behind the header). Returns length or -status. */
export function sealPacket(sa: usize, nh: u32, pkt: usize, plen: usize): i32 {
  return sealBody(sa, nh, pkt, plen, true);
}

/**
 * sealPacket; with `mac` false an HMAC suite's ICV is left to the caller (batches compute four
 * at a time, crypto/hmac-x4.ts): HMAC over the returned length minus the ICV length.
 */
export function sealBody(sa: usize, nh: u32, pkt: usize, plen: usize, mac: bool): i32 {
  const last = load<u64>(sa, SA_SEQ);
  // RFC 4303 §3.3.3: the counter must not cycle; the SA has to be rekeyed instead.
  if (last >= 0xffffffff) {
    bump(sa, SA_ST_REKEY, 1);
    return -ST_REKEY;
  }
  const seq = <u32>(last + 1);
  store<u64>(sa, <u64>seq, SA_SEQ);
  const ivLen = <usize>load<u32>(sa, SA_IVLEN);
  const icv = <usize>load<u32>(sa, SA_ICVLEN);
  const hdr: usize = 8 + ivLen;
  const body = pkt + hdr;
  memory.copy(body, pkt, plen);
  // §2.4: pad so the ciphertext fills whole cipher blocks (CBC) or ends 4-byte aligned; pad bytes 1,2,3,..
  const block: usize = ivLen === 16 ? 16 : 4;
  const padLen = (block - ((plen + 2) % block)) % block;
  const tr = body + plen;
  for (let i: usize = 0; i < padLen; i++) store<u8>(tr + i, <u8>(i + 1));
  store<u8>(tr + padLen, <u8>padLen);
  store<u8>(tr + padLen + 1, <u8>nh);
  const ctLen = plen + padLen + 2;
  store<u32>(pkt, bswap<u32>(load<u32>(sa, SA_SPI)));
  store<u32>(pkt, bswap<u32>(seq), 4);
  const nr = load<i32>(sa, SA_NR);
  const ivc = load<u64>(sa, SA_IVCTR) + 1;
  store<u64>(sa, ivc, SA_IVCTR);
  if (load<u32>(sa, SA_ALG) === 0) {
    // AES-GCM (RFC 4106 §3.1): explicit IV = 64-bit counter (masked), nonce = salt || IV, AAD = SPI || seq (§5).
    store<u64>(pkt, bswap<u64>(ivc ^ load<u64>(sa, SA_IVMASK)), 8);
    store<u32>(NONCE, load<u32>(sa, SA_SALT));
    store<u64>(NONCE, load<u64>(pkt, 8), 4);
    if ((vpModes & GCM_STITCH) !== 0) {
      gcmSealStitched(sa + SA_EK, nr, vekOf(sa, nr), ghashOf(sa), NONCE, pkt, 8, body, ctLen, body + ctLen);
    } else {
      ctrAny(sa, nr, body, ctLen);
      gcmTag(sa + SA_EK, nr, ghashOf(sa), NONCE, pkt, 8, body, ctLen, body + ctLen);
    }
  } else {
    if (ivLen === 16) {
      // CBC IV = AES_k'(counter): unpredictable to anyone without k' (RFC 3602 §3, RFC 4303 §3.2).
      aesEncryptBlock(sa + SA_IVK, 10, 0, 0, bswap<u32>(<u32>(ivc >> 32)), bswap<u32>(<u32>ivc));
      store<u32>(pkt, B0, 8);
      store<u32>(pkt, B1, 12);
      store<u32>(pkt, B2, 16);
      store<u32>(pkt, B3, 20);
      if (nr === 10 && (vpModes & VP_CBC_ENC) !== 0) cbcEncryptVp(sa + SA_VEK, pkt + 8, body, ctLen);
      else cbcEncrypt(sa + SA_EK, nr, pkt + 8, body, ctLen);
    }
    // Encrypt-then-MAC: ICV over SPI .. ciphertext, truncated (RFC 2404, RFC 4868 §2.3).
    if (mac) {
      hmacCompute(load<i32>(sa, SA_ALG), sa + SA_ISTATE, sa + SA_OSTATE, pkt, hdr + ctLen, MAC);
      memory.copy(body + ctLen, MAC, icv);
    }
  }
  bump(sa, SA_ST_OK, 1);
  bump(sa, SA_ST_BYTES, <u64>plen);
  return <i32>(hdr + ctLen + icv);
}

// Results of openPacket besides the status.
export let openPayloadOff: usize = 0;
export let openPayloadLen: usize = 0;
export let openNextHeader: u32 = 0;

/** Verifies and decrypts the `len`-byte packet at `pkt` in place with inbound SA `sa`. */
export function openPacket(sa: usize, pkt: usize, len: usize): i32 {
  const st = openCheck(sa, pkt, len);
  if (st !== OPEN_GO) return st;
  const alg = load<i32>(sa, SA_ALG);
  const stitched = alg === 0 && (vpModes & GCM_STITCH) !== 0;
  const ivLen = <usize>load<u32>(sa, SA_IVLEN);
  const hdr: usize = 8 + ivLen;
  const ctLen = len - hdr - <usize>load<u32>(sa, SA_ICVLEN);
  const body = pkt + hdr;
  if (alg === 0) {
    const nr = load<i32>(sa, SA_NR);
    store<u32>(NONCE, load<u32>(sa, SA_SALT));
    store<u64>(NONCE, load<u64>(pkt, 8), 4);
    if (stitched) gcmOpenStitched(sa + SA_EK, nr, vekOf(sa, nr), ghashOf(sa), NONCE, pkt, 8, body, ctLen, MAC);
    else gcmTag(sa + SA_EK, nr, ghashOf(sa), NONCE, pkt, 8, body, ctLen, MAC);
  } else if (alg === ALG_SHA256 && ivLen === 16 && load<i32>(sa, SA_NR) === 10 && (vpModes & CBC_STITCH) !== 0 && ctLen >= CBC_STITCH_MIN) {
    return openFinish(sa, pkt, len, MAC, false, hmacSha256CbcOpen(sa + SA_VDK, sa + SA_ISTATE, sa + SA_OSTATE, pkt, hdr, pkt + 8, ctLen, MAC));
  } else {
    hmacCompute(alg, sa + SA_ISTATE, sa + SA_OSTATE, pkt, hdr + ctLen, MAC);
  }
  return openFinish(sa, pkt, len, MAC, stitched);
}

/** openCheck's answer when the packet goes on to the ICV check. */
export const OPEN_GO: i32 = -1;

/** Length, alignment (§2.4) and replay (§3.4.3) checks before the ICV: a status, or OPEN_GO. */
export function openCheck(sa: usize, pkt: usize, len: usize): i32 {
  const seq = bswap<u32>(load<u32>(pkt, 4));
  const ivLen = <usize>load<u32>(sa, SA_IVLEN);
  const icv = <usize>load<u32>(sa, SA_ICVLEN);
  const hdr: usize = 8 + ivLen;
  if (len < hdr + icv + 4) return malformed(sa);
  const ctLen = len - hdr - icv;
  if (ivLen === 16 ? (ctLen & 15) !== 0 : ((hdr + ctLen) & 3) !== 0) return malformed(sa);
  // §3.4.3: drop duplicates and too-old packets before spending time on the ICV.
  if (!replayCheck(sa, seq)) {
    bump(sa, SA_ST_REPLAY, 1);
    return ST_REPLAY;
  }
  return OPEN_GO;
}

/**
 * After openCheck and the ICV computed into `mac` (GCM `stitched`: the body is already
 * decrypted; CBC: the first `cbcDone` bytes are, chaining from CBC_CHAIN): compares, decrypts,
 * records the sequence number and checks the trailer. A forged packet is left as it came.
 */
export function openFinish(sa: usize, pkt: usize, len: usize, mac: usize, stitched: bool, cbcDone: usize = 0): i32 {
  const seq = bswap<u32>(load<u32>(pkt, 4));
  const ivLen = <usize>load<u32>(sa, SA_IVLEN);
  const icv = <usize>load<u32>(sa, SA_ICVLEN);
  const hdr: usize = 8 + ivLen;
  const ctLen = len - hdr - icv;
  const body = pkt + hdr;
  const nr = load<i32>(sa, SA_NR);
  const alg = load<i32>(sa, SA_ALG);
  if (!ctEqual(mac, body + ctLen, icv)) {
    if (stitched) ctrAny(sa, nr, body, ctLen); // restore the ciphertext decrypted while hashing
    if (cbcDone !== 0) cbcEncrypt(sa + SA_EK, nr, pkt + 8, body, cbcDone); // the same for CBC
    bump(sa, SA_ST_AUTH, 1);
    return ST_AUTH;
  }
  if (alg === 0) {
    if (!stitched) ctrAny(sa, nr, body, ctLen);
  } else if (ivLen === 16 && cbcDone < ctLen) {
    const iv = cbcDone !== 0 ? CBC_CHAIN : pkt + 8;
    const rest = ctLen - cbcDone;
    if (nr === 10 && (vpModes & VP_CBC_DEC) !== 0 && rest >= VP_CBC_DEC_MIN) cbcDecryptVp(sa + SA_VDK, iv, body + cbcDone, rest);
    else cbcDecrypt(sa + SA_DK, nr, iv, body + cbcDone, rest);
  }
  // The packet is authentic: record it even if its trailer turns out to be malformed.
  replayUpdate(sa, seq);
  const padLen = <usize>load<u8>(body + ctLen - 2);
  if (padLen + 2 > ctLen) return malformed(sa);
  const tr = body + ctLen - 2 - padLen;
  // §2.4: the receiver checks the default padding 1, 2, 3, ...
  for (let i: usize = 0; i < padLen; i++) if (<usize>load<u8>(tr + i) !== i + 1) return malformed(sa);
  openPayloadOff = hdr;
  openPayloadLen = ctLen - 2 - padLen;
  openNextHeader = load<u8>(body + ctLen - 1);
  bump(sa, SA_ST_OK, 1);
  bump(sa, SA_ST_BYTES, <u64>openPayloadLen);
  return ST_OK;
}

function malformed(sa: usize): i32 {
  bump(sa, SA_ST_MALFORMED, 1);
  return ST_MALFORMED;
}

