// Dev tool (issue 12), not a bench row: CPU per base exchange through two HostStacks in one
// process, no sockets, crypto jobs run synchronously on a provider (PROV=node|noble): the control
// plane's own cost. BREAKDOWN=1: wall time per input (noisy on a shared machine).
// `node --import tsx bench/hip-core-cpu.ts` (N=300 CURVE=P-256|P-384).
import { nobleProvider } from "../src/core/crypto/noble.ts";
import { isPromise } from "../src/core/crypto/provider.ts";
import { cryptoRng } from "../src/core/rng.ts";
import type { Locator } from "../src/core/types.ts";
import { runCryptoJob } from "../src/hip/crypto-jobs.ts";
import { HostIdentity } from "../src/hip/identity.ts";
import { nodeCryptoDefault } from "../src/runtime/crypto-node.ts";
import { HostStack, newDataPlane } from "../src/runtime/stack.ts";
import "../src/wasm/node-features.ts"; // relaxed SIMD on Node 20, as the Node entry points
import "../src/wasm/loader.ts"; // registers the embedded WASM module as the default (src/wasm/instantiate.ts)

const curve = (process.env.CURVE ?? "P-256") as "P-256" | "P-384";
const provider = process.env.PROV === "noble" ? nobleProvider : nodeCryptoDefault();
const hip = { dhGroups: [curve === "P-256" ? 7 : 8], espSuites: [13], puzzleK: 0, cryptoJobs: true, limits: { r1PerPrefix: { ratePerSec: 1e6, burst: 1e6 }, r1Global: { ratePerSec: 1e6, burst: 1e6 }, i2PerPrefix: { ratePerSec: 1e6, burst: 1e6 }, i2Global: { ratePerSec: 1e6, burst: 1e6 } } };
const N = Number(process.env.N ?? 300);
const rLoc: Locator = { ip: "127.0.0.1", port: 10500 };
const responder = new HostStack({ host: { ...hip, identity: HostIdentity.generate(cryptoRng, curve), rng: cryptoRng }, mobility: {}, addresses: [rLoc] });
const shared = newDataPlane();
const ids = Array.from({ length: 16 }, () => HostIdentity.generate(cryptoRng, curve));

const NAMES: Record<number, string> = { 1: "I1", 2: "R1", 3: "I2", 4: "R2" };
const acc = new Map<string, number>();
let measuring = false;
function timed(k: string, f: () => void): void {
  const t = performance.now();
  f();
  if (measuring) acc.set(k, (acc.get(k) ?? 0) + performance.now() - t);
}
function pump(a: [HostStack, Locator], b: [HostStack, Locator], now: number): void {
  for (let moved = true; moved; ) {
    moved = false;
    for (const [h] of [a, b]) {
      const who = h === responder ? "R" : "I";
      for (let j = h.pollCryptoJob(); j; j = h.pollCryptoJob()) {
        let r: ReturnType<typeof runCryptoJob> | undefined;
        timed(`${who} job ${j.op}`, () => {
          r = runCryptoJob(provider, j);
        });
        if (isPromise(r)) throw new Error("async provider");
        timed(`${who} result ${j.op}`, () => h.handleCryptoResult(now, j.id, r as never));
        moved = true;
      }
      for (let t = h.pollTransmit(); t; t = h.pollTransmit()) {
        const dst = t.to.port === a[1].port ? a : b;
        timed(`${dst[0] === responder ? "R" : "I"} rx ${NAMES[t.data[6] & 0x7f]}`, () => dst[0].handleDatagram(now, t.data, t.from ?? rLoc, dst[1]));
        moved = true;
      }
      while (h.pollEvent());
    }
  }
}
let now = 0;
let done = 0;
function one(i: number): void {
  const loc = { ip: "127.0.0.1", port: 20000 + (i % 30000) };
  let ini!: HostStack;
  timed("I new HostStack", () => {
    ini = new HostStack({ host: { ...hip, identity: ids[i % ids.length], rng: cryptoRng }, dataPlane: shared, mobility: {}, addresses: [loc] });
  });
  timed("I connect", () => ini.connect(now, rLoc, responder.hit, loc));
  pump([ini, loc], [responder, rLoc], now);
  if (ini.host.association(responder.hit)?.state === "ESTABLISHED") done++;
  now += 1;
}
for (let i = 0; i < 30; i++) one(i);
measuring = true;
const c0 = process.cpuUsage();
const t0 = performance.now();
for (let i = 0; i < N; i++) one(i);
const ms = performance.now() - t0;
const c = process.cpuUsage(c0);
console.log(JSON.stringify({ curve, prov: provider.name, established: done, usPerExchange: Math.round((1000 * ms) / N), cpuUsPerExchange: Math.round((c.user + c.system) / N) }));
let sum = 0;
if (process.env.BREAKDOWN)
  for (const [k, v] of [...acc].sort()) {
    sum += v;
    console.log(k.padEnd(26), ((1000 * v) / N).toFixed(0).padStart(6), "µs");
  }
if (process.env.BREAKDOWN) console.log("sum".padEnd(26), ((1000 * sum) / N).toFixed(0).padStart(6), "µs");
if (process.env.V) console.log(Object.entries(responder.host.counters).filter(([k]) => k.startsWith("drop") || k.startsWith("rx") || k.startsWith("tx")));
