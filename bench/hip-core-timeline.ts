// Dev tool (issue 12), not a bench row: where the time of a base exchange on loopback goes, per
// packet in / out on both hosts (medians over N exchanges after W warm-up ones, default 3; V8
// needs ~150 before the handlers run optimised). PROV=web|node|inline CURVE=P-256|P-384.
// PROF=out.cpuprofile profiles the measured exchanges and writes out.cpuprofile.win.json (their
// time windows): `node --import tsx bench/profile-summary.ts out.cpuprofile` sums inside them.
import { writeFileSync } from "node:fs";
import { cryptoRng } from "../src/core/rng.ts";
import { HostIdentity } from "../src/hip/identity.ts";
import { nodeCryptoDefault } from "../src/runtime/crypto-node.ts";
import { startNodeHost } from "../src/runtime/node.ts";
import { newDataPlane } from "../src/runtime/stack.ts";
import { startProfile } from "./cpu.ts";
const IP = "127.0.0.1";
const curve = (process.env.CURVE ?? "P-256") as "P-256" | "P-384";
const prov = process.env.PROV ?? "web";
const crypto = prov === "node" ? nodeCryptoDefault() : prov === "inline" ? ("inline" as const) : undefined;
const hip = { dhGroups: [curve === "P-256" ? 7 : 8], espSuites: [13], puzzleK: 0 };
const shared = newDataPlane();
const N = Number(process.env.N ?? 20);
const NAMES: Record<number, string> = { 1: "I1", 2: "R1", 3: "I2", 4: "R2" };
let marks: [string, number][] = [];
const tap = (who: string) => (dir: "in" | "out", _now: number, data: Uint8Array) => {
  marks.push([`${who} ${dir} ${NAMES[data[6] & 0x7f] ?? data[6]}`, performance.now()]);
};
const responder = await startNodeHost({ identity: HostIdentity.generate(cryptoRng, curve), listen: [`${IP}:0`], hip: { ...hip, limits: { r1PerPrefix: { ratePerSec: 1e6, burst: 1e6 }, i2PerPrefix: { ratePerSec: 1e6, burst: 1e6 } } }, crypto, tap: tap("R") }); // every Initiator is on 127.0.0.1
const acc = new Map<string, number[]>();
const windows: [number, number][] = [];
let stop: (() => Promise<void>) | undefined;
const W = Number(process.env.W ?? 3);
for (let i = 0; i < N + W; i++) {
  const a = await startNodeHost({ identity: HostIdentity.generate(cryptoRng, curve), listen: [`${IP}:0`], hip, dataPlane: shared, crypto, tap: tap("I") });
  marks = [];
  if (i === W) stop = await startProfile(process.env.PROF, 50);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const h0 = process.hrtime.bigint();
  a.on("established", () => marks.push(["I established", performance.now()]));
  await a.connect(responder.locals[0], responder.hit, { timeoutMs: 10_000 });
  marks.push(["connect resolved", performance.now()]);
  if (i >= W) {
    windows.push([Number(h0 / 1000n), Number(process.hrtime.bigint() / 1000n)]);
    let prev = t0;
    for (const [k, t] of marks) {
      const l = acc.get(k) ?? [];
      l.push(t - prev);
      acc.set(k, l);
      prev = t;
    }
    const l = acc.get("total") ?? [];
    l.push(performance.now() - t0);
    acc.set("total", l);
    const c = process.cpuUsage(c0);
    const lc = acc.get("cpu (both hosts)") ?? [];
    lc.push((c.user + c.system) / 1000);
    acc.set("cpu (both hosts)", lc);
  }
  await a.close();
}
await stop?.();
if (process.env.PROF) writeFileSync(`${process.env.PROF}.win.json`, JSON.stringify(windows));
await responder.close();
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [k, v] of acc) console.log(k.padEnd(20), "med", med(v).toFixed(3), "min", Math.min(...v).toFixed(3), "n", v.length);
