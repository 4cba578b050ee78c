// Multi-buffer HMAC for the batch entry points (api.ts espSealBatch / espOpenBatch): the HMAC
// suites' ICVs (RFC 2404, RFC 4868) of up to CHUNK packets are deferred and computed four
// packets at a time (crypto/hmac-x4.ts), then each packet is finished in batch order.
// Results are those of the per-packet path: an opened packet's replay check (RFC 4303 §3.4.3)
// is repeated before its ICV comparison, so a later duplicate in the same chunk still reads as
// a replay, and the window only ever grows between the two checks.
import { hmacCompute } from "../crypto/hmac";
import { HX4_JOBS, hmacX4 } from "../crypto/hmac-x4";
import { ALG_SHA1, ALG_SHA256 } from "../crypto/sha";
import { MB_HMAC, openFinish, openNextHeader, openPayloadLen, openPayloadOff, ST_OK, ST_REPLAY, vpModes } from "./packet";
import { inetSum } from "./inet";
import { replayCheck } from "./replay";
import { SA_ALG, SA_ICVLEN, SA_ISTATE, SA_OSTATE, SA_ST_REPLAY } from "./sa";

export function mbEnabled(): bool {
  return (vpModes & MB_HMAC) !== 0;
}

const CHUNK: u32 = 64;
// Pending packet: entry | sa | pkt | macLen | len (open: packet length) | off (open: entry offset), 32 bytes.
const PEND: usize = memory.data(<i32>CHUNK * 32, 16);
const MACS: usize = memory.data(<i32>CHUNK * 32, 16);
let npend: u32 = 0;

/** Defers one packet's HMAC over `macLen` bytes at `pkt`; true when the chunk is full (flush now). */
export function mbAdd(e: usize, sa: usize, pkt: usize, macLen: usize, len: usize, off: u32): bool {
  const q = PEND + (<usize>npend << 5);
  store<u32>(q, <u32>e);
  store<u32>(q, <u32>sa, 4);
  store<u32>(q, <u32>pkt, 8);
  store<u32>(q, <u32>macLen, 12);
  store<u32>(q, <u32>len, 16);
  store<u32>(q, off, 20);
  npend++;
  return npend === CHUNK;
}

function macsOf(alg: i32): void {
  let lanes = 0;
  for (let j: u32 = 0; j < npend; j++) {
    const q = PEND + (<usize>j << 5);
    const sa = <usize>load<u32>(q, 4);
    if (load<i32>(sa, SA_ALG) !== alg) continue;
    const job = HX4_JOBS + (<usize>lanes << 5);
    store<u32>(job, <u32>(sa + SA_ISTATE));
    store<u32>(job, <u32>(sa + SA_OSTATE), 4);
    store<u32>(job, load<u32>(q, 8), 8);
    store<u32>(job, load<u32>(q, 12), 12);
    store<u32>(job, <u32>(MACS + (<usize>j << 5)), 16);
    if (++lanes === 4) {
      hmacX4(alg, 4);
      lanes = 0;
    }
  }
  if (lanes === 1) {
    const job = HX4_JOBS;
    hmacCompute(alg, load<u32>(job), load<u32>(job, 4), load<u32>(job, 8), load<u32>(job, 12), load<u32>(job, 16));
  } else if (lanes > 1) hmacX4(alg, lanes);
}

function macsAll(): void {
  macsOf(ALG_SHA1);
  macsOf(ALG_SHA256);
}

/** Seal: computes the deferred ICVs and writes each behind its ciphertext. */
export function mbSealFlush(): void {
  if (npend === 0) return;
  macsAll();
  for (let j: u32 = 0; j < npend; j++) {
    const q = PEND + (<usize>j << 5);
    const sa = <usize>load<u32>(q, 4);
    memory.copy(<usize>load<u32>(q, 8) + <usize>load<u32>(q, 12), MACS + (<usize>j << 5), <usize>load<u32>(sa, SA_ICVLEN));
  }
  npend = 0;
}

/** Open: computes the deferred ICVs, finishes each packet in order and fills its entry. Returns #ok. */
export function mbOpenFlush(): u32 {
  if (npend === 0) return 0;
  macsAll();
  let ok: u32 = 0;
  for (let j: u32 = 0; j < npend; j++) {
    const q = PEND + (<usize>j << 5);
    const e = <usize>load<u32>(q);
    const sa = <usize>load<u32>(q, 4);
    const pkt = <usize>load<u32>(q, 8);
    let st: i32;
    if (!replayCheck(sa, bswap<u32>(load<u32>(pkt, 4)))) {
      store<u64>(sa + SA_ST_REPLAY, load<u64>(sa, SA_ST_REPLAY) + 1);
      st = ST_REPLAY;
    } else st = openFinish(sa, pkt, <usize>load<u32>(q, 16), MACS + (<usize>j << 5), false);
    if (st === ST_OK) {
      store<u32>(e, <u32>openPayloadLen, 4);
      store<u32>(e, openNextHeader | (inetSum(pkt + openPayloadOff, openPayloadLen) << 16), 16);
      store<u32>(e, load<u32>(q, 20) + <u32>openPayloadOff, 28);
      ok++;
    } else store<u32>(e, 0, 4);
    store<u32>(e, <u32>st, 12);
  }
  npend = 0;
  return ok;
}
