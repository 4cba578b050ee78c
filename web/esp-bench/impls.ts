// ESP benchmark implementations shared by bench/esp.bench.ts (Node) and the Chromium bench page
// (web/esp-bench/main.ts): WASM in-process (per packet and zero-copy batches), WASM in a Worker
// (zero-copy EspBatch pipeline), @noble/ciphers + @noble/hashes, WebCrypto awaited per packet.
// Every implementation produces the same ESP packets' worth of work per packet (RFC 4303 / 7402).
import { cbc, gcm } from "@noble/ciphers/aes.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha1 } from "@noble/hashes/legacy.js";
import { sha256 } from "@noble/hashes/sha2.js";
import type { DataPlane } from "../../src/esp/dataplane.ts";
import { ENTRY_BYTES, SEAL_OVERHEAD } from "../../src/esp/batch.ts";
import { EspBatch } from "../../src/esp/espbatch.ts";
import type { WorkerDataPlane } from "../../src/esp/remote.ts";
import { EspSuite, espKeyLengths, type SaParams } from "../../src/esp/types.ts";
import { concat } from "../../src/core/bytes.ts";

export const BATCH = 64;
/**
 * Worker batches in flight (the pipeline depth: the page fills and reads some batches while the
 * Worker runs the others). 16 = the ring's slots; measured in Chromium at 64 B on a loaded 2-core
 * machine, 16 gave ~10% more than 8 (the client is woken at half of them done: more cushion).
 */
export const IN_FLIGHT = 16;
export const SUITES = [EspSuite.AES128_CBC_SHA1, EspSuite.AES128_CBC_SHA256, EspSuite.AES_GCM16] as const;
export const SIZES = [64, 1400];

/**
 * One implementation under test. seal/open process some packets and return how many were
 * completed (and checked) by this call; `drain` waits for work still in flight (not counted).
 */
export interface Impl {
  seal: () => number | Promise<number>;
  open: () => number | Promise<number>;
  async: boolean;
  drain?: () => Promise<void>;
}

const now = (): number => performance.now();

/** Packets per second of `impl[op]` over about `ms` (after a short warm-up); drains afterwards. */
export async function packetRate(impl: Impl, op: "seal" | "open", ms: number): Promise<number> {
  const fn = impl[op];
  const warm = now() + Math.min(100, ms / 4);
  let n = 0;
  let t0 = 0;
  let t = 0;
  if (impl.async) {
    while (now() < warm) await fn();
    t0 = now();
    for (t = t0; t - t0 < ms; t = now()) n += await fn();
  } else {
    while (now() < warm) fn();
    t0 = now();
    for (t = t0; t - t0 < ms; t = now()) for (let i = 0; i < 16; i++) n += fn() as number;
  }
  await impl.drain?.();
  return (n * 1000) / (t - t0);
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

export { concat };

export function nobleImpl(p: SaParams, payload: Uint8Array): Impl {
  let seq = 0;
  const iv = new Uint8Array(16);
  const sync = { async: false };
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
      seal: () => (seal().length > 0 ? 1 : 0),
      open: () => {
        const n = concat(p.encKey.subarray(16, 20), pkt.subarray(8, 16));
        const pt = gcm(key, n, pkt.subarray(0, 8)).decrypt(pkt.subarray(16));
        if (pt[pt.length - 1] !== 17) throw new Error("noble open");
        return 1;
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
    seal: () => (seal().length > 0 ? 1 : 0),
    open: () => {
      const body = pkt.subarray(0, pkt.length - icv);
      const mac = hmac(h, p.authKey, body);
      let diff = 0;
      for (let i = 0; i < icv; i++) diff |= mac[i] ^ pkt[pkt.length - icv + i];
      if (diff) throw new Error("noble open");
      const pt = cbc(p.encKey, pkt.subarray(8, 24), { disablePadding: true }).decrypt(body.subarray(24));
      if (pt[pt.length - 1] !== 17) throw new Error("noble open");
      return 1;
    },
  };
}

export async function webImpl(p: SaParams, payload: Uint8Array): Promise<Impl> {
  let seq = 0;
  const iv = new Uint8Array(16);
  const awaited = { async: true };
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
      seal: async () => ((await seal()).length > 0 ? 1 : 0),
      open: async () => {
        const n = concat(p.encKey.subarray(16, 20), pkt.subarray(8, 16));
        const pt = new Uint8Array(await subtle.decrypt({ name: "AES-GCM", iv: n, additionalData: b(pkt.subarray(0, 8)) }, key, b(pkt.subarray(16))));
        if (pt[pt.length - 1] !== 17) throw new Error("webcrypto open");
        return 1;
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
    seal: async () => ((await seal()).length > 0 ? 1 : 0),
    open: async () => {
      const body = pkt.subarray(0, pkt.length - icv);
      const mac = new Uint8Array(await subtle.sign("HMAC", hk, b(body)));
      for (let i = 0; i < icv; i++) if (mac[i] !== pkt[pkt.length - icv + i]) throw new Error("webcrypto open");
      const ct = body.subarray(24);
      // Append the PKCS#7 block WebCrypto expects: E_k(C_last XOR 16*0x10) = encrypt("" , iv = C_last).
      const extra = new Uint8Array(await subtle.encrypt({ name: "AES-CBC", iv: b(ct.subarray(-16)) }, key, new Uint8Array(0)));
      const pt = new Uint8Array(await subtle.decrypt({ name: "AES-CBC", iv: b(pkt.subarray(8, 24)) }, key, concat(ct, extra)));
      if (pt[pt.length - 1] !== 17) throw new Error("webcrypto open");
      return 1;
    },
  };
}

let nextSpi = 0x10000;
/**
 * Distinct sealed packets to open (fresh sequence numbers); the inbound SA is reinstalled on wrap
 * (for the Worker: a drain and two control calls, a bench-only bubble). The Worker rows rewind
 * at the start of each measurement (in its warm-up), so 64 B windows of up to ~2.5 M packets/s
 * never wrap mid-window.
 */
const poolSize = (size: number): number => (size <= 64 ? 131072 : 4096);

function sealPool(dp: DataPlane, out: number, payload: Uint8Array): Uint8Array[] {
  return Array.from({ length: poolSize(payload.length) }, () => dp.seal(out, 17, payload));
}

/** The per-packet API the "wasm" rows measure (the fastest public one: no allocation per packet). */
export const PER_PACKET_API = "DataPlane.sealInto / openInto (payload copied in, packet/payload copied out to a caller buffer)";

/** WASM in-process, one packet per call through sealInto / openInto (caller-owned output buffer). */
export function wasmImpl(dp: DataPlane, p: SaParams, payload: Uint8Array): Impl {
  const spi = ++nextSpi;
  const out = dp.installSa({ ...p, spi });
  const inP: SaParams = { ...p, spi, direction: "in", replayWindow: 4096 };
  const pool = sealPool(dp, out, payload);
  let inb = dp.installSa(inP);
  let k = 0;
  const buf = new Uint8Array(payload.length + 64);
  return {
    async: false,
    seal: () => {
      if (dp.sealInto(out, 17, payload, buf) === 0) throw new Error("wasm seal");
      return 1;
    },
    open: () => {
      if (k === pool.length) {
        dp.removeSa(inb);
        inb = dp.installSa(inP);
        k = 0;
      }
      if (dp.openInto(pool[k++], buf) !== payload.length) throw new Error("wasm open");
      return 1;
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
    /** True when `batches` more open batches would run past the pool (reinstall the inbound SA first). */
    wraps: (batches = 1) => k + batches * BATCH > pool.length,
    /** True before the first packet after a rewind. */
    fresh: () => k === 0,
    rewind: () => {
      k = 0;
    },
  };
}

/** Consumes results in place: every status must be Ok and every length non-zero. Returns #packets. */
function consume(x: EspBatch, what: string): number {
  if (x.ok !== x.count) throw new Error(`${what}: ${x.count - x.ok} packets failed`);
  for (let i = 0; i < x.count; i++) if (x.status(i) !== 0 || x.length(i) === 0) throw new Error(what);
  return x.count;
}

const batchBytes = (size: number): number => BATCH * (ENTRY_BYTES + ((size + SEAL_OVERHEAD + 7) & ~7));

/** WASM in-process, zero-copy batches of 64 (EspBatch → DataPlane.process). */
export function wasmBatchImpl(dp: DataPlane, p: SaParams, payload: Uint8Array): Impl {
  const spi = ++nextSpi;
  const out = dp.installSa({ ...p, spi });
  const inP: SaParams = { ...p, spi, direction: "in", replayWindow: 4096 };
  const f = filler(out, payload, sealPool(dp, out, payload));
  let inb = dp.installSa(inP);
  const x = new EspBatch({ maxPackets: BATCH, byteLength: batchBytes(payload.length) });
  return {
    async: false,
    seal: () => {
      dp.process("seal", f.seal(x));
      return consume(x, "wasm batch seal");
    },
    open: () => {
      if (f.wraps()) {
        dp.removeSa(inb);
        inb = dp.installSa(inP);
        f.rewind();
      }
      dp.process("open", f.open(x));
      return consume(x, "wasm batch open");
    },
  };
}

/**
 * WASM in a Worker: IN_FLIGHT EspBatches circulate (filled in place, results read in place; from
 * WorkerDataPlane.batch(): ring slot buffers in ring mode, transferred otherwise; `shared`: plain
 * SharedArrayBuffer batches, copied through the ring's staging slots). One call = wait for the oldest batch, consume it, refill, resubmit.
 * When the open pool runs out, the ring drains and the inbound SA is reinstalled (a bubble, counted).
 */
export async function workerImpl(w: WorkerDataPlane, p: SaParams, payload: Uint8Array, shared = false): Promise<Impl> {
  const spi = ++nextSpi;
  const out = await w.installSa({ ...p, spi });
  const inP: SaParams = { ...p, spi, direction: "in", replayWindow: 4096 };
  let inb = await w.installSa(inP);
  const pool: Uint8Array[] = [];
  const seeder = new EspBatch({ maxPackets: BATCH, byteLength: batchBytes(payload.length) });
  while (pool.length < poolSize(payload.length)) {
    seeder.reset();
    for (let i = 0; i < BATCH; i++) seeder.addSeal(out, 17, payload);
    consume(await w.process("seal", seeder), "worker seal (pool)");
    for (let i = 0; i < BATCH; i++) pool.push(seeder.data(i).slice());
  }
  const f = filler(out, payload, pool);
  // Default: slot-backed batches from WorkerDataPlane.batch() (ring mode: filled and read in shared memory, no copies).
  const opts = { maxPackets: BATCH, byteLength: batchBytes(payload.length) };
  const xs = Array.from({ length: IN_FLIGHT }, () => (shared ? new EspBatch({ ...opts, shared }) : w.batch(opts)));
  const ring: (Promise<EspBatch> | null)[] = xs.map(() => null);
  let mode: "seal" | "open" = "seal";
  let head = 0;
  const drain = async (): Promise<void> => {
    for (const x of await Promise.all(ring)) if (x) consume(x, `worker ${mode}`);
    ring.fill(null);
  };
  const step = async (op: "seal" | "open"): Promise<number> => {
    if (op !== mode) await drain();
    mode = op;
    if (!ring.some(Boolean)) {
      // A new pipeline (start of a measurement, or after a wrap): start from a fresh pool.
      if (op === "open" && !f.fresh()) {
        await w.removeSa(inb);
        inb = await w.installSa(inP);
        f.rewind();
      }
      xs.forEach((x, i) => {
        ring[i] = w.process(op, f[op](x));
      });
      head = 0;
    }
    while (ring[head] === null) head = (head + 1) % IN_FLIGHT;
    const x = (await ring[head]) as EspBatch;
    const n = consume(x, `worker ${op}`);
    ring[head] = op === "open" && f.wraps() ? null : w.process(op, f[op](x));
    head = (head + 1) % IN_FLIGHT;
    return n;
  };
  return { async: true, seal: () => step("seal"), open: () => step("open"), drain };
}

/** Row label for the worker rows: "ring" (slot-backed batches), "ring+staging" (`shared`) or "transfer". */
export function workerMode(mode: "ring" | "transfer", shared: boolean): string {
  return mode === "ring" && shared ? "ring+staging" : mode;
}

export interface GridCell {
  suite: EspSuite;
  size: number;
  op: "seal" | "open";
  /** Best packets/s over the rounds, per implementation name. */
  rates: Record<string, number>;
}

/**
 * Measures every implementation for suites × sizes × {seal, open}. Rounds are interleaved and
 * the best of each kept: the machine is shared, so load bursts should not land on one only.
 */
export async function runGrid(
  make: (p: SaParams, payload: Uint8Array) => Promise<Record<string, Impl>>,
  ms: number,
  rounds: number,
): Promise<GridCell[]> {
  const cells: GridCell[] = [];
  for (const suite of SUITES) {
    for (const size of SIZES) {
      const impls = await make(params(suite, 0x100), fill(size, 9));
      for (const op of ["seal", "open"] as const) {
        const rates: Record<string, number> = {};
        for (let r = 0; r < rounds; r++) {
          for (const [name, impl] of Object.entries(impls)) {
            rates[name] = Math.max(rates[name] ?? 0, await packetRate(impl, op, ms / rounds));
          }
        }
        cells.push({ suite, size, op, rates });
      }
    }
  }
  return cells;
}

export const ratio = (a: number, b: number): number => Math.round((a / b) * 100) / 100;
export const mbps = (pps: number, size: number): number => Math.round((pps * size) / 1e4) / 100;
