// Dev tool (issue 12), not a bench row: where the time of a base exchange on loopback goes, per
// packet in / out on both hosts (medians over N exchanges). PROV=web|node|inline CURVE=P-256|P-384.
import { cryptoRng } from "../src/core/rng.ts";
import { HostIdentity } from "../src/hip/identity.ts";
import { nodeCryptoProvider } from "../src/runtime/crypto-node.ts";
import { startNodeHost } from "../src/runtime/node.ts";
import { newDataPlane } from "../src/runtime/stack.ts";
const IP = "127.0.0.1";
const curve = (process.env.CURVE ?? "P-256") as "P-256" | "P-384";
const prov = process.env.PROV ?? "web";
const crypto = prov === "node" ? nodeCryptoProvider() : prov === "inline" ? ("inline" as const) : undefined;
const hip = { dhGroups: [curve === "P-256" ? 7 : 8], espSuites: [13], puzzleK: 0 };
const shared = newDataPlane();
const N = Number(process.env.N ?? 20);
const NAMES: Record<number, string> = { 1: "I1", 2: "R1", 3: "I2", 4: "R2" };
let marks: [string, number][] = [];
const tap = (who: string) => (dir: "in" | "out", _now: number, data: Uint8Array) => {
  marks.push([`${who} ${dir} ${NAMES[data[6] & 0x7f] ?? data[6]}`, performance.now()]);
};
const responder = await startNodeHost({ identity: HostIdentity.generate(cryptoRng, curve), listen: [`${IP}:0`], hip, crypto, tap: tap("R") });
const acc = new Map<string, number[]>();
for (let i = 0; i < N + 3; i++) {
  const a = await startNodeHost({ identity: HostIdentity.generate(cryptoRng, curve), listen: [`${IP}:0`], hip, dataPlane: shared, crypto, tap: tap("I") });
  marks = [];
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  a.on("established", () => marks.push(["I established", performance.now()]));
  await a.connect(responder.locals[0], responder.hit, { timeoutMs: 10_000 });
  marks.push(["connect resolved", performance.now()]);
  if (i >= 3) {
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
await responder.close();
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [k, v] of acc) console.log(k.padEnd(20), "med", med(v).toFixed(3), "min", Math.min(...v).toFixed(3), "n", v.length);
