// Deno side of test/e2e/deno-worker-io.test.ts: a HIP host on src/runtime/deno.ts with dataPlane
// "worker-io" (the ESP Worker owns the Deno UDP socket) connects to the Node host given as
// arguments (HIT, IP, port), sends COUNT datagrams of 1000 B in bursts of BURST with at most one
// burst unanswered (Deno cannot raise a socket's receive buffer: a larger window overflows the
// kernel's default one), checks every echo and prints one JSON line with what the Worker opened.
import { cryptoRng } from "../../src/core/rng.ts";
import { hitFromString, hitToString } from "../../src/hip/hit.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import { startDenoHost } from "../../src/runtime/deno.ts";

const [hitText, ip, portText, countText, burstText, pacing] = Deno.args;
const COUNT = Number(countText);
const BURST = Number(burstText ?? 16);
const peerHit = hitFromString(hitText)!;
const host = await startDenoHost({ identity: HostIdentity.generate(cryptoRng), listen: [{ ip, port: 0 }], hip: { puzzleK: 4 }, dataPlane: "worker-io" });
const got = new Set<number>();
let bad = 0;
let wake: (() => void) | undefined;
host.on("message", (m) => {
  const d = m.data;
  if (d.length !== 1000 || d[999] !== (d[0] ^ 0x5a)) bad++;
  got.add(d[0] | (d[1] << 8));
  wake?.();
});
/** Until `n` echoes arrived, or `ms` passed. */
const echoes = (n: number, ms: number): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      wake = undefined;
      resolve();
    }
    wake = () => got.size >= n && done();
    wake();
  });
const result: Record<string, unknown> = { hit: hitToString(host.hit), local: host.locals[0] };
try {
  result.established = hitToString(await host.connect({ ip, port: Number(portText) }, peerHit, { timeoutMs: 10_000 }));
  for (let i = 0; i < COUNT; i++) {
    const d = new Uint8Array(1000);
    d[0] = i & 0xff;
    d[1] = i >> 8;
    d[999] = d[0] ^ 0x5a;
    host.send(peerHit, 6000, 6001, d);
    if (i % BURST !== BURST - 1) continue;
    // The burst before this one answered; with "sleep": 1 ms between bursts, no window (a loss probe).
    if (pacing === "sleep") await new Promise((r) => setTimeout(r, 1));
    else await echoes(i + 1 - BURST, 500);
  }
  await echoes(COUNT, 5000);
} catch (e) {
  result.error = (e as Error).message;
}
result.echoes = got.size;
result.bad = bad;
result.io = host.workerIo?.stats;
result.worker = host.espWorker?.stats;
console.log(JSON.stringify(result));
await host.close();
Deno.exit(0);
