// Deno side of test/e2e/deno-node.test.ts: a HIP host on src/runtime/deno.ts connects to the
// Node host given as arguments (HIT, IP, port), sends one datagram, waits for the reply and
// prints one JSON line.
import { cryptoRng } from "../../src/core/rng.ts";
import { hitFromString, hitToString } from "../../src/hip/hit.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import { startDenoHost } from "../../src/runtime/deno.ts";

const [hitText, ip, portText] = Deno.args;
const peerHit = hitFromString(hitText)!;
const host = await startDenoHost({ identity: HostIdentity.generate(cryptoRng), listen: [{ ip, port: 0 }], hip: { puzzleK: 4 } });
const reply = new Promise<string>((resolve) => host.on("message", (m) => resolve(new TextDecoder().decode(m.data))));
const result: Record<string, unknown> = { hit: hitToString(host.hit), local: host.locals[0] };
try {
  const t0 = performance.now();
  const hit = await host.connect({ ip, port: Number(portText) }, peerHit, { timeoutMs: 10_000 });
  result.established = hitToString(hit);
  result.ms = Math.round(performance.now() - t0);
  host.send(peerHit, 6000, 6001, new TextEncoder().encode("hello from deno"));
  result.reply = await Promise.race([reply, new Promise((r) => setTimeout(() => r("(no reply)"), 5000))]);
} catch (e) {
  result.error = (e as Error).message;
}
console.log(JSON.stringify(result));
await host.close();
Deno.exit(0);
