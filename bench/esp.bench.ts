// ESP data plane benchmark: seal and open at 64 B and 1400 B for suites 1, 8 and 13.
// (a) WASM in-process, (b) WASM in a worker_threads Worker in batches of 64 (4 in flight),
// (c) node:crypto per packet, (d) @noble/ciphers + @noble/hashes, (e) WebCrypto awaited per packet.
// Ratios: WASM rows vs node:crypto (baseline) plus vsNoble / vsWebCrypto fields; worker rows vs
// WASM in-process; library rows vs node:crypto.
import { createCipheriv, createDecipheriv, createHmac, timingSafeEqual } from "node:crypto";
import { cbc, gcm } from "@noble/ciphers/aes.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha1 } from "@noble/hashes/legacy.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { DataPlane } from "../src/esp/dataplane.ts";
import { WorkerDataPlane } from "../src/esp/remote.ts";
import { EspSuite, espKeyLengths, type SaParams } from "../src/esp/types.ts";
import type { BenchRow } from "./run.ts";
import { opsPerSecond, opsPerSecondAsync, rateRow } from "./util.ts";

const MS = 240;
const ROUNDS = 3;
const BATCH = 64;
const IN_FLIGHT = 4;
const SUITES = [EspSuite.AES128_CBC_SHA1, EspSuite.AES128_CBC_SHA256, EspSuite.AES_GCM16] as const;
const SIZES = [64, 1400];
const subtle = globalThis.crypto.subtle;
/** WebCrypto typings want ArrayBuffer-backed views. */
const b = (u: Uint8Array): Uint8Array<ArrayBuffer> => u as Uint8Array<ArrayBuffer>;

type Impl = { seal: () => unknown; open: () => unknown };

function fill(n: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed * 17) & 0xff);
}

function params(suite: EspSuite, spi: number): SaParams {
  const { enc, auth } = espKeyLengths(suite);
  return { spi, suite, encKey: fill(enc, 1), authKey: fill(auth, 2), ivSeed: fill(16, 3), direction: "out" };
}

/** ESP plaintext: payload | 1,2,3.. | pad length | next header (RFC 4303 §2.4). */
function espPlain(payload: Uint8Array, block: number): Uint8Array<ArrayBuffer> {
  const pad = (block - ((payload.length + 2) % block)) % block;
  const out = new Uint8Array(payload.length + pad + 2);
  out.set(payload);
  for (let i = 0; i < pad; i++) out[payload.length + i] = i + 1;
  out[out.length - 2] = pad;
  out[out.length - 1] = 17;
  return out;
}

function header(spi: number, seq: number): Uint8Array<ArrayBuffer> {
  const h = new Uint8Array(8);
  const dv = new DataView(h.buffer);
  dv.setUint32(0, spi);
  dv.setUint32(4, seq);
  return h;
}

const concat = (...parts: Uint8Array[]): Uint8Array<ArrayBuffer> => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

function nodeImpl(p: SaParams, payload: Uint8Array): Impl {
  let seq = 0;
  const iv = new Uint8Array(16);
  if (p.suite === EspSuite.AES_GCM16) {
    const key = p.encKey.subarray(0, 16);
    const nonce = new Uint8Array(12);
    nonce.set(p.encKey.subarray(16, 20));
    const seal = (): Uint8Array => {
      const hdr = header(p.spi, ++seq);
      new DataView(nonce.buffer).setUint32(8, seq);
      const c = createCipheriv("aes-128-gcm", key, nonce).setAAD(hdr);
      const ct = concat(c.update(espPlain(payload, 4)), c.final());
      return concat(hdr, nonce.subarray(4), ct, c.getAuthTag());
    };
    const pkt = seal();
    return {
      seal,
      open: () => {
        const n = concat(p.encKey.subarray(16, 20), pkt.subarray(8, 16));
        const d = createDecipheriv("aes-128-gcm", key, n).setAAD(pkt.subarray(0, 8));
        d.setAuthTag(pkt.subarray(pkt.length - 16));
        const pt = concat(d.update(pkt.subarray(16, pkt.length - 16)), d.final());
        if (pt[pt.length - 1] !== 17) throw new Error("node open");
      },
    };
  }
  const alg = p.suite === EspSuite.AES128_CBC_SHA1 ? "sha1" : "sha256";
  const icv = p.suite === EspSuite.AES128_CBC_SHA1 ? 12 : 16;
  const seal = (): Uint8Array => {
    const hdr = header(p.spi, ++seq);
    new DataView(iv.buffer).setUint32(12, seq);
    const c = createCipheriv("aes-128-cbc", p.encKey, iv).setAutoPadding(false);
    const ct = concat(c.update(espPlain(payload, 16)), c.final());
    const mac = createHmac(alg, p.authKey).update(hdr).update(iv).update(ct).digest();
    return concat(hdr, iv, ct, mac.subarray(0, icv));
  };
  const pkt = seal();
  return {
    seal,
    open: () => {
      const body = pkt.subarray(0, pkt.length - icv);
      const mac = createHmac(alg, p.authKey).update(body).digest().subarray(0, icv);
      if (!timingSafeEqual(mac, pkt.subarray(pkt.length - icv))) throw new Error("node open");
      const d = createDecipheriv("aes-128-cbc", p.encKey, pkt.subarray(8, 24)).setAutoPadding(false);
      const pt = concat(d.update(body.subarray(24)), d.final());
      if (pt[pt.length - 1] !== 17) throw new Error("node open");
    },
  };
}

function nobleImpl(p: SaParams, payload: Uint8Array): Impl {
  let seq = 0;
  const iv = new Uint8Array(16);
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

async function webImpl(p: SaParams, payload: Uint8Array): Promise<Impl> {
  let seq = 0;
  const iv = new Uint8Array(16);
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

function wasmImpl(dp: DataPlane, p: SaParams, payload: Uint8Array): Impl {
  const spi = ++nextSpi;
  const out = dp.installSa({ ...p, spi });
  const inP: SaParams = { ...p, spi, direction: "in", replayWindow: 4096 };
  const pool = Array.from({ length: 2048 }, () => dp.seal(out, 17, payload));
  let inb = dp.installSa(inP);
  let k = 0;
  return {
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

async function workerImpl(w: WorkerDataPlane, p: SaParams, payload: Uint8Array): Promise<Impl> {
  const spi = ++nextSpi;
  const out = await w.installSa({ ...p, spi });
  const inP: SaParams = { ...p, spi, direction: "in", replayWindow: 4096 };
  let inb = await w.installSa(inP);
  const items = Array.from({ length: BATCH }, () => ({ handle: out, nextHeader: 17, payload }));
  const pool: Uint8Array[][] = [];
  for (let i = 0; i < 64; i++) pool.push((await w.sealBatch(items)).map((r) => r.packet));
  let k = 0;
  const check = (rs: { status: number }[]): void => {
    if (rs.some((r) => r.status !== 0)) throw new Error("worker batch");
  };
  return {
    seal: async () => {
      const all = await Promise.all(Array.from({ length: IN_FLIGHT }, () => w.sealBatch(items)));
      all.forEach(check);
    },
    open: async () => {
      if (k + IN_FLIGHT > pool.length) {
        await w.removeSa(inb);
        inb = await w.installSa(inP);
        k = 0;
      }
      const all = await Promise.all(pool.slice(k, k + IN_FLIGHT).map((b) => w.openBatch(b)));
      k += IN_FLIGHT;
      all.forEach(check);
    },
  };
}

const mbps = (pps: number, size: number): number => Math.round((pps * size) / 1e4) / 100;

export async function run(_argv: string[]): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const dp = new DataPlane();
  const w = await WorkerDataPlane.create();
  try {
    for (const suite of SUITES) {
      for (const size of SIZES) {
        const p = params(suite, 0x100);
        const payload = fill(size, 9);
        const impls = {
          wasm: wasmImpl(dp, p, payload),
          worker: await workerImpl(w, p, payload),
          node: nodeImpl(p, payload),
          noble: nobleImpl(p, payload),
          webcrypto: await webImpl(p, payload),
        };
        for (const op of ["seal", "open"] as const) {
          // Interleaved short rounds, best of each: the machine is shared, so bursts of load from
          // other processes should not land on one implementation only.
          const rate = { node: 0, wasm: 0, noble: 0, worker: 0, webcrypto: 0 };
          for (let r = 0; r < ROUNDS; r++) {
            rate.node = Math.max(rate.node, opsPerSecond(impls.node[op] as () => void, MS / ROUNDS));
            rate.wasm = Math.max(rate.wasm, opsPerSecond(impls.wasm[op] as () => void, MS / ROUNDS));
            rate.noble = Math.max(rate.noble, opsPerSecond(impls.noble[op] as () => void, MS / ROUNDS));
            const wr = await opsPerSecondAsync(impls.worker[op] as () => Promise<void>, MS / ROUNDS);
            rate.worker = Math.max(rate.worker, wr * BATCH * IN_FLIGHT);
            rate.webcrypto = Math.max(rate.webcrypto, await opsPerSecondAsync(impls.webcrypto[op] as () => Promise<void>, MS / ROUNDS));
          }
          const name = (impl: string): string => `esp.${op}.suite${suite}.${size}B.${impl}`;
          const extra = (impl: keyof typeof rate) => ({ mbps: mbps(rate[impl], size) });
          rows.push(
            rateRow(name("wasm"), "packets/s", rate.wasm, rate.node, {
              ...extra("wasm"),
              vsNoble: Math.round((rate.wasm / rate.noble) * 100) / 100,
              vsWebCrypto: Math.round((rate.wasm / rate.webcrypto) * 100) / 100,
              baselineName: "node:crypto per packet",
            }),
            rateRow(name("worker-batch64"), "packets/s", rate.worker, rate.wasm, {
              ...extra("worker"),
              vsWebCrypto: Math.round((rate.worker / rate.webcrypto) * 100) / 100,
              baselineName: "wasm in-process",
            }),
            rateRow(name("node-crypto"), "packets/s", rate.node, null, extra("node")),
            rateRow(name("noble"), "packets/s", rate.noble, rate.node, { ...extra("noble"), baselineName: "node:crypto per packet" }),
            rateRow(name("webcrypto"), "packets/s", rate.webcrypto, rate.node, {
              ...extra("webcrypto"),
              baselineName: "node:crypto per packet",
            }),
          );
        }
      }
    }
  } finally {
    await w.close();
  }
  return rows;
}
