// ESP benchmark implementations shared by bench/esp.bench.ts (Node) and the Chromium bench page
// (web/esp-bench/main.ts): WASM in-process (per packet and zero-copy batches), WASM in a Worker
// (zero-copy EspBatch pipeline), @noble/ciphers + @noble/hashes, WebCrypto awaited per packet.
// Every implementation produces the same ESP packets' worth of work per packet (RFC 4303 / 7402).
import { cbc, gcm } from "@noble/ciphers/aes.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha1 } from "@noble/hashes/legacy.js";
import { sha256 } from "@noble/hashes/sha2.js";
import type { DataPlane } from "../../src/esp/dataplane.ts";
import { EspBatch } from "../../src/esp/espbatch.ts";
import type { WorkerDataPlane } from "../../src/esp/remote.ts";
import { EspSuite, espKeyLengths, type SaParams } from "../../src/esp/types.ts";

export const BATCH = 64;
export const IN_FLIGHT = 4;
export const SUITES = [EspSuite.AES128_CBC_SHA1, EspSuite.AES128_CBC_SHA256, EspSuite.AES_GCM16] as const;
export const SIZES = [64, 1400];

/** One benchmarked operation. `packets` per call; `drain` waits for work still in flight. */
export interface Impl {
  seal: () => unknown;
  open: () => unknown;
  packets: number;
  async: boolean;
  drain?: () => Promise<void>;
}

const subtle = globalThis.crypto.subtle;
/** WebCrypto typings want ArrayBuffer-backed views. */
const b = (u: Uint8Array): Uint8Array<ArrayBuffer> => u as Uint8Array<ArrayBuffer>;

export function fill(n: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed * 17) & 0xff);
}

export function params(suite: EspSuite, spi: number): SaParams {
  const { enc, auth } = espKeyLengths(suite);
  return { spi, suite, encKey: fill(enc, 1), authKey: fill(auth, 2), ivSeed: fill(16, 3), direction: "out" };
}

/** ESP plaintext: payload | 1,2,3.. | pad length | next header (RFC 4303 §2.4). */
export function espPlain(payload: Uint8Array, block: number): Uint8Array<ArrayBuffer> {
  const pad = (block - ((payload.length + 2) % block)) % block;
  const out = new Uint8Array(payload.length + pad + 2);
  out.set(payload);
  for (let i = 0; i < pad; i++) out[payload.length + i] = i + 1;
  out[out.length - 2] = pad;
  out[out.length - 1] = 17;
  return out;
}

export function header(spi: number, seq: number): Uint8Array<ArrayBuffer> {
  const h = new Uint8Array(8);
  const dv = new DataView(h.buffer);
  dv.setUint32(0, spi);
  dv.setUint32(4, seq);
  return h;
}

export const concat = (...parts: Uint8Array[]): Uint8Array<ArrayBuffer> => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

export function nobleImpl(p: SaParams, payload: Uint8Array): Impl {
  let seq = 0;
  const iv = new Uint8Array(16);
  const sync = { packets: 1, async: false };
  if (p.suite === EspSuite.AES_GCM16) {
    const key = p.encKey.subarray(0, 16);
    const nonce = new Uint8Array(12);
    nonce.set(p.encKey.subarray(16, 20));
    const seal = (): Uint8Array => {
      const hdr = header(p.spi, ++seq);
      new DataView(nonce.buffer).setUint32(8, seq);
      return concat(hdr, nonce.subarray(4), gcm(key, nonce, hdr).encrypt(espPlain(payload, 4)));
    };
    const pkt = seal();
    return {
      ...sync,
      seal,
      open: () => {
        const n = concat(p.encKey.subarray(16, 20), pkt.subarray(8, 16));
        const pt = gcm(key, n, pkt.subarray(0, 8)).decrypt(pkt.subarray(16));
        if (pt[pt.length - 1] !== 17) throw new Error("noble open");
      },
    };
  }
  const h = p.suite === EspSuite.AES128_CBC_SHA1 ? sha1 : sha256;
  const icv = p.suite === EspSuite.AES128_CBC_SHA1 ? 12 : 16;
  const seal = (): Uint8Array => {
    const hdr = header(p.spi, ++seq);
    new DataView(iv.buffer).setUint32(12, seq);
    const ct = cbc(p.encKey, iv, { disablePadding: true }).encrypt(espPlain(payload, 16));
    const mac = hmac.create(h, p.authKey).update(hdr).update(iv).update(ct).digest();
    return concat(hdr, iv, ct, mac.subarray(0, icv));
  };
  const pkt = seal();
  return {
    ...sync,
    seal,
    open: () => {
      const body = pkt.subarray(0, pkt.length - icv);
      const mac = hmac(h, p.authKey, body);
      let diff = 0;
      for (let i = 0; i < icv; i++) diff |= mac[i] ^ pkt[pkt.length - icv + i];
      if (diff) throw new Error("noble open");
      const pt = cbc(p.encKey, pkt.subarray(8, 24), { disablePadding: true }).decrypt(body.subarray(24));
      if (pt[pt.length - 1] !== 17) throw new Error("noble open");
    },
  };
}

export async function webImpl(p: SaParams, payload: Uint8Array): Promise<Impl> {
  let seq = 0;
  const iv = new Uint8Array(16);
  const awaited = { packets: 1, async: true };
  if (p.suite === EspSuite.AES_GCM16) {
    const key = await subtle.importKey("raw", b(p.encKey.subarray(0, 16)), "AES-GCM", false, ["encrypt", "decrypt"]);
    const nonce = new Uint8Array(12);
    nonce.set(p.encKey.subarray(16, 20));
    const seal = async (): Promise<Uint8Array> => {
      const hdr = header(p.spi, ++seq);
      new DataView(nonce.buffer).setUint32(8, seq);
      const ct = await subtle.encrypt({ name: "AES-GCM", iv: nonce, additionalData: hdr }, key, espPlain(payload, 4));
      return concat(hdr, nonce.subarray(4), new Uint8Array(ct));
    };
    const pkt = await seal();
    return {
      ...awaited,
      seal: async () => void (await seal()),
      open: async () => {
        const n = concat(p.encKey.subarray(16, 20), pkt.subarray(8, 16));
        const pt = new Uint8Array(await subtle.decrypt({ name: "AES-GCM", iv: n, additionalData: b(pkt.subarray(0, 8)) }, key, b(pkt.subarray(16))));
        if (pt[pt.length - 1] !== 17) throw new Error("webcrypto open");
      },
    };
  }
  const hash = p.suite === EspSuite.AES128_CBC_SHA1 ? "SHA-1" : "SHA-256";
  const icv = p.suite === EspSuite.AES128_CBC_SHA1 ? 12 : 16;
  const key = await subtle.importKey("raw", b(p.encKey), "AES-CBC", false, ["encrypt", "decrypt"]);
  const hk = await subtle.importKey("raw", b(p.authKey), { name: "HMAC", hash }, false, ["sign"]);
  const seal = async (): Promise<Uint8Array> => {
    const hdr = header(p.spi, ++seq);
    new DataView(iv.buffer).setUint32(12, seq);
    // WebCrypto always adds PKCS#7 padding: the ESP plaintext is block-aligned, so drop the extra block.
    const ct = new Uint8Array(await subtle.encrypt({ name: "AES-CBC", iv }, key, espPlain(payload, 16))).subarray(0, -16);
    const mac = new Uint8Array(await subtle.sign("HMAC", hk, concat(hdr, iv, ct)));
    return concat(hdr, iv, ct, mac.subarray(0, icv));
  };
  const pkt = await seal();
  return {
    ...awaited,
    seal: async () => void (await seal()),
    open: async () => {
      const body = pkt.subarray(0, pkt.length - icv);
      const mac = new Uint8Array(await subtle.sign("HMAC", hk, b(body)));
      for (let i = 0; i < icv; i++) if (mac[i] !== pkt[pkt.length - icv + i]) throw new Error("webcrypto open");
      const ct = body.subarray(24);
      // Append the PKCS#7 block WebCrypto expects: E_k(C_last XOR 16*0x10) = encrypt("" , iv = C_last).
      const extra = new Uint8Array(await subtle.encrypt({ name: "AES-CBC", iv: b(ct.subarray(-16)) }, key, new Uint8Array(0)));
      const pt = new Uint8Array(await subtle.decrypt({ name: "AES-CBC", iv: b(pkt.subarray(8, 24)) }, key, concat(ct, extra)));
      if (pt[pt.length - 1] !== 17) throw new Error("webcrypto open");
    },
  };
}

let nextSpi = 0x10000;
/** Distinct sealed packets to open (fresh sequence numbers); the inbound SA is reinstalled on wrap. */
const poolSize = (size: number): number => (size <= 64 ? 16384 : 4096);

function sealPool(dp: DataPlane, out: number, payload: Uint8Array): Uint8Array[] {
  return Array.from({ length: poolSize(payload.length) }, () => dp.seal(out, 17, payload));
}

/** WASM in-process, one packet per call (seal returns a fresh copy, open copies the packet in). */
export function wasmImpl(dp: DataPlane, p: SaParams, payload: Uint8Array): Impl {
  const spi = ++nextSpi;
  const out = dp.installSa({ ...p, spi });
  const inP: SaParams = { ...p, spi, direction: "in", replayWindow: 4096 };
  const pool = sealPool(dp, out, payload);
  let inb = dp.installSa(inP);
  let k = 0;
  return {
    packets: 1,
    async: false,
    seal: () => {
      if (dp.seal(out, 17, payload).length === 0) throw new Error("wasm seal");
    },
    open: () => {
      if (k === pool.length) {
        dp.removeSa(inb);
        inb = dp.installSa(inP);
        k = 0;
      }
      if (dp.open(pool[k++]).status !== 0) throw new Error("wasm open");
    },
  };
}

/** Fills a batch: payloads copied in (seal) or the next pool packets (open). */
function filler(out: number, payload: Uint8Array, pool: Uint8Array[]) {
  let k = 0;
  return {
    seal(x: EspBatch): EspBatch {
      x.reset();
      for (let i = 0; i < BATCH; i++) x.addSeal(out, 17, payload);
      return x;
    },
    open(x: EspBatch): EspBatch {
      x.reset();
      for (let i = 0; i < BATCH; i++) x.addOpen(pool[k++]);
      return x;
    },
    /** True when the next open batch would run past the pool (reinstall the inbound SA first). */
    wraps: () => k + BATCH > pool.length,
    rewind: () => {
      k = 0;
    },
  };
}

/** Consumes results in place: every status must be Ok and every length non-zero. */
function consume(x: EspBatch, what: string): void {
  if (x.ok !== x.count) throw new Error(`${what}: ${x.count - x.ok} packets failed`);
  for (let i = 0; i < x.count; i++) if (x.status(i) !== 0 || x.length(i) === 0) throw new Error(what);
}

const batchBytes = (size: number): number => BATCH * (32 + ((size + 64 + 7) & ~7));

/** WASM in-process, zero-copy batches of 64 (EspBatch → DataPlane.process). */
export function wasmBatchImpl(dp: DataPlane, p: SaParams, payload: Uint8Array): Impl {
  const spi = ++nextSpi;
  const out = dp.installSa({ ...p, spi });
  const inP: SaParams = { ...p, spi, direction: "in", replayWindow: 4096 };
  const f = filler(out, payload, sealPool(dp, out, payload));
  let inb = dp.installSa(inP);
  const x = new EspBatch({ maxPackets: BATCH, byteLength: batchBytes(payload.length) });
  return {
    packets: BATCH,
    async: false,
    seal: () => {
      dp.process("seal", f.seal(x));
      consume(x, "wasm batch seal");
    },
    open: () => {
      if (f.wraps()) {
        dp.removeSa(inb);
        inb = dp.installSa(inP);
        f.rewind();
      }
      dp.process("open", f.open(x));
      consume(x, "wasm batch open");
    },
  };
}

/**
 * WASM in a Worker: IN_FLIGHT EspBatches circulate (filled in place, transferred or shared,
 * results read in place). One call = wait for the oldest batch, consume it, refill, resubmit.
 */
export async function workerImpl(w: WorkerDataPlane, p: SaParams, payload: Uint8Array, shared = false): Promise<Impl> {
  const spi = ++nextSpi;
  const out = await w.installSa({ ...p, spi });
  const inP: SaParams = { ...p, spi, direction: "in", replayWindow: 4096 };
  let inb = await w.installSa(inP);
  const pool: Uint8Array[] = [];
  const seeder = new EspBatch({ maxPackets: BATCH, byteLength: batchBytes(payload.length) });
  while (pool.length < poolSize(payload.length)) {
    await w.process("seal", seeder.reset());
    for (let i = 0; i < BATCH; i++) seeder.addSeal(out, 17, payload);
    await w.process("seal", seeder);
    for (let i = 0; i < BATCH; i++) pool.push(seeder.data(i).slice());
  }
  const f = filler(out, payload, pool);
  const xs = Array.from({ length: IN_FLIGHT }, () => new EspBatch({ maxPackets: BATCH, byteLength: batchBytes(payload.length), shared }));
  let ring: Promise<EspBatch>[] = [];
  let mode: "seal" | "open" | undefined;
  let head = 0;
  const drain = async (): Promise<void> => {
    for (const x of await Promise.all(ring)) consume(x, `worker ${mode}`);
    ring = [];
    mode = undefined;
  };
  const step = async (op: "seal" | "open"): Promise<void> => {
    if (mode !== op || (op === "open" && f.wraps() && ring.length === IN_FLIGHT)) {
      await drain();
      if (op === "open") {
        await w.removeSa(inb);
        inb = await w.installSa(inP);
        f.rewind();
      }
      mode = op;
      ring = xs.map((x) => w.process(op, f[op](x)));
      head = 0;
    }
    const x = await ring[head];
    consume(x, `worker ${op}`);
    if (op === "open" && f.wraps()) {
      // Pool exhausted: the remaining batches drain on the next calls' reinstall.
      ring[head] = Promise.resolve(x.reset());
      x.ok = 0;
    } else ring[head] = w.process(op, f[op](x));
    head = (head + 1) % IN_FLIGHT;
  };
  return { packets: BATCH, async: true, seal: () => step("seal"), open: () => step("open"), drain };
}
