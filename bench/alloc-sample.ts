// Dev tool (issue 12), not a bench row: where a base exchange on loopback allocates (V8's sampling
// heap profiler over N exchanges after W warm-up ones, fresh Initiator host per exchange as in
// `udp.base-exchange.*`). Prints the allocation sites by bytes (self), per exchange.
//   CURVE=P-256|P-384 W=150 N=100 HOSTS=1 node --import tsx bench/alloc-sample.ts
// HOSTS=0 reuses one Initiator host (close + reconnect), to separate host set-up from the exchange.
// CALLERS=<text>: also the call chains (outside node_modules) of the sites whose name contains it.
import { Session } from "node:inspector/promises";
import { cryptoRng } from "../src/core/rng.ts";
import { HostIdentity } from "../src/hip/identity.ts";
import { nodeCryptoDefault } from "../src/runtime/crypto-node.ts";
import { startNodeHost } from "../src/runtime/node.ts";
import { newDataPlane } from "../src/runtime/stack.ts";

const curve = (process.env.CURVE ?? "P-256") as "P-256" | "P-384";
const hip = { dhGroups: [curve === "P-256" ? 7 : 8], espSuites: [13], puzzleK: 0 };
const crypto = nodeCryptoDefault();
const shared = newDataPlane();
const W = Number(process.env.W ?? 150);
const N = Number(process.env.N ?? 100);
const freshHosts = process.env.HOSTS !== "0";
const responder = await startNodeHost({ identity: HostIdentity.generate(cryptoRng, curve), listen: ["127.0.0.1:0"], hip: { ...hip, limits: { r1PerPrefix: { ratePerSec: 1e6, burst: 1e6 }, i2PerPrefix: { ratePerSec: 1e6, burst: 1e6 } } }, crypto });
const reused = freshHosts ? undefined : await startNodeHost({ identity: HostIdentity.generate(cryptoRng, curve), listen: ["127.0.0.1:0"], hip, dataPlane: shared, crypto });
const session = new Session();
session.connect();
async function exchange(): Promise<void> {
  const a = reused ?? (await startNodeHost({ identity: HostIdentity.generate(cryptoRng, curve), listen: ["127.0.0.1:0"], hip, dataPlane: shared, crypto }));
  await a.connect(responder.locals[0], responder.hit, { timeoutMs: 10_000 });
  if (reused) await a.closeAssociation(responder.hit);
  else await a.close();
}
for (let i = 0; i < W; i++) await exchange();
await session.post("HeapProfiler.startSampling", { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
for (let i = 0; i < N; i++) await exchange();
const { profile } = await session.post("HeapProfiler.stopSampling");
type Node = { callFrame: { functionName: string; url: string; lineNumber: number }; selfSize: number; children: Node[] };
const bySite = new Map<string, number>();
const walk = (n: Node, parent: string) => {
  const cf = n.callFrame;
  const here = `${cf.functionName || "(anon)"} ${cf.url.split("/").slice(-2).join("/")}:${cf.lineNumber + 1}`;
  const key = cf.url === "" ? `${here} < ${parent}` : here;
  if (n.selfSize) bySite.set(key, (bySite.get(key) ?? 0) + n.selfSize);
  for (const c of n.children) walk(c, here);
};
walk(profile.head as Node, "");
const total = [...bySite.values()].reduce((a, b) => a + b, 0);
console.log(`${curve} ${freshHosts ? "fresh host" : "reused host"} per exchange: ~${(total / N / 1024).toFixed(1)} KiB sampled allocation per exchange`);
for (const [k, v] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`${(v / N / 1024).toFixed(2).padStart(8)} KiB  ${k}`);
if (process.env.CALLERS) {
  const agg = new Map<string, number>();
  const walk2 = (n: Node, chain: string[]) => {
    const cf = n.callFrame;
    const here = `${cf.functionName || "(anon)"} ${cf.url.split("/").slice(-1)[0]}:${cf.lineNumber + 1}`;
    const next = [...chain, here];
    if (n.selfSize && here.includes(process.env.CALLERS!)) {
      const k = next.filter((s) => !s.includes("node_modules") && !s.includes("@noble")).slice(-5).join(" > ");
      agg.set(k, (agg.get(k) ?? 0) + n.selfSize);
    }
    for (const c of n.children) walk2(c, next);
  };
  walk2(profile.head as Node, []);
  for (const [k, v] of [...agg].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log(`${(v / N / 1024).toFixed(2).padStart(8)} KiB  ${k}`);
}
await responder.close();
await reused?.close();
process.exit(0);
