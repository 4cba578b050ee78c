// Dev tool (issue 12), not a bench row: the Responder's CPU per association, alone. Phase 1
// (untimed): N Initiators (HipHost, node:crypto jobs) each send an I1, get the R1 and build their
// I2, which is kept. Phase 2 (timed, process.cpuUsage): the Responder (a HostStack as
// startNodeHost builds it, mobility off like bench/udp-assoc.bench.ts) handles the I2s, running
// its crypto jobs on node:crypto synchronously, until each R2 is out; then N more I1s (R1 cost).
// `node --import tsx bench/hip-core-responder.ts` (N=300, CURVE=P-256|P-384, PROV=node|noble,
// PROF=out.cpuprofile profiles the timed phase; MM=1 turns mobility on). Last line: what one
// HostStack.pollTimeout costs with the associations (and sessions) left, which a runtime asks
// once per event-loop turn (best of 5 × 20,000 calls, after a warm-up).
import { startProfile } from "./cpu.ts";
import { nobleProvider } from "../src/core/crypto/noble.ts";
import { isPromise } from "../src/core/crypto/provider.ts";
import { cryptoRng } from "../src/core/rng.ts";
import type { Locator } from "../src/core/types.ts";
import { runCryptoJob } from "../src/hip/crypto-jobs.ts";
import { HipHost } from "../src/hip/host.ts";
import { HostIdentity } from "../src/hip/identity.ts";
import { nodeCryptoDefault } from "../src/runtime/crypto-node.ts";
import { HostStack } from "../src/runtime/stack.ts";
import "../src/wasm/node-features.ts"; // relaxed SIMD on Node 20, as the Node entry points
import "../src/wasm/loader.ts"; // registers the embedded WASM module as the default (src/wasm/instantiate.ts)

const curve = (process.env.CURVE ?? "P-256") as "P-256" | "P-384";
const provider = process.env.PROV === "noble" ? nobleProvider : nodeCryptoDefault();
const N = Number(process.env.N ?? 300);
const limits = { r1PerPrefix: { ratePerSec: 1e6, burst: 1e6 }, r1Global: { ratePerSec: 1e6, burst: 1e6 }, i2PerPrefix: { ratePerSec: 1e6, burst: 1e6 }, i2Global: { ratePerSec: 1e6, burst: 1e6 } };
const hip = { dhGroups: [curve === "P-256" ? 7 : 8], espSuites: [13], puzzleK: 0, cryptoJobs: true, dropEvents: false, limits };
const rLoc: Locator = { ip: "127.0.0.1", port: 10500 };
const responder = new HostStack({ host: { ...hip, identity: HostIdentity.generate(cryptoRng, curve), rng: cryptoRng }, ...(process.env.MM ? { mobility: {} } : {}) });

/** CPU µs inside the provider, by job kind (timed phase only). */
const inJobs = new Map<string, number>();
let counting = false;
function jobs(h: { pollCryptoJob(): ReturnType<HipHost["pollCryptoJob"]>; handleCryptoResult: HipHost["handleCryptoResult"] }): void {
  for (let j = h.pollCryptoJob(); j; j = h.pollCryptoJob()) {
    const c = counting ? process.cpuUsage() : undefined;
    const r = runCryptoJob(provider, j);
    if (c) {
      const d = process.cpuUsage(c);
      inJobs.set(j.op, (inJobs.get(j.op) ?? 0) + d.user + d.system);
    }
    if (isPromise(r)) throw new Error("async provider");
    h.handleCryptoResult(0, j.id, r);
  }
}

function prepare(n: number): { i2: Uint8Array; i1: Uint8Array; from: Locator }[] {
  const out: { i2: Uint8Array; i1: Uint8Array; from: Locator }[] = [];
  for (let k = 0; k < n; k++) {
    const from = { ip: "127.0.0.1", port: 20000 + k };
    const ini = new HipHost({ ...hip, identity: HostIdentity.generate(cryptoRng, curve), rng: cryptoRng });
    ini.connect(0, rLoc, responder.hit, from);
    const i1 = ini.pollTransmit()!.data;
    responder.handleDatagram(0, i1, from, rLoc);
    const r1 = responder.pollTransmit()!.data;
    ini.handleDatagram(0, r1.subarray(4), rLoc, from);
    jobs(ini);
    out.push({ i2: ini.pollTransmit()!.data, i1, from });
  }
  return out;
}

function timed(set: { i2: Uint8Array; i1: Uint8Array; from: Locator }[]): { i2Us: number; i1Us: number } {
  counting = true;
  inJobs.clear();
  const c0 = process.cpuUsage();
  for (const { i2, from } of set) {
    responder.handleDatagram(0, i2, from, rLoc);
    jobs(responder);
    while (responder.pollTransmit());
    while (responder.pollEvent());
  }
  const c1 = process.cpuUsage(c0);
  counting = false;
  const c2 = process.cpuUsage();
  for (const { i1, from } of set) {
    responder.handleDatagram(0, i1, from, rLoc);
    while (responder.pollTransmit());
  }
  const c3 = process.cpuUsage(c2);
  return { i2Us: (c1.user + c1.system) / set.length, i1Us: (c3.user + c3.system) / set.length };
}

timed(prepare(50)); // warm-up
const set = prepare(N);
const stop = await startProfile(process.env.PROF, 50); // PROF=out.cpuprofile: the timed phase only
const r = timed(set);
await stop();
const c = responder.host.counters;
const providerUs = Object.fromEntries([...inJobs].map(([k, v]) => [k, Math.round(v / N)]));
console.log(JSON.stringify({ curve, prov: provider.name, n: N, r2Sent: c["tx.R2"], i2CpuUs: Math.round(r.i2Us), i1CpuUs: Math.round(r.i1Us), perAssocCpuUs: Math.round(r.i2Us + r.i1Us), providerUs }));
if (process.env.V) console.log(Object.entries(c).filter(([k]) => k.startsWith("drop")));
{
  let sink = 0;
  for (let i = 0; i < 20_000; i++) sink += responder.pollTimeout() ?? 0;
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < 5; r++) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < 20_000; i++) sink += responder.pollTimeout() ?? 0;
    const c = process.cpuUsage(c0);
    best = Math.min(best, (c.user + c.system) / 20_000);
  }
  const assocs = [...responder.host.associations()].length;
  console.log(JSON.stringify({ assocs, sessions: responder.mobility?.sessions().length ?? 0, pollTimeoutUs: Math.round(best * 1000) / 1000, sink: sink > 0 }));
}
