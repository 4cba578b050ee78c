// Deno side of test/e2e/deno-close.test.ts: a HIP host on src/runtime/deno.ts connects to the
// Node hosts given as arguments (HIT IP PORT, twice), closes the first association with
// closeAssociation() (CLOSE → CLOSE_ACK, RFC 7401 §6.14), then close() (CLOSE to the second
// before the socket goes), and prints one JSON line.
import { cryptoRng } from "../../src/core/rng.ts";
import { hitFromString, hitToString } from "../../src/hip/hit.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import { startDenoHost } from "../../src/runtime/deno.ts";

const peers = [0, 3].map((i) => ({ hit: hitFromString(Deno.args[i])!, ip: Deno.args[i + 1], port: Number(Deno.args[i + 2]) }));
const host = await startDenoHost({ identity: HostIdentity.generate(cryptoRng), listen: [{ ip: peers[0].ip, port: 0 }], hip: { puzzleK: 1 } });
const result: Record<string, unknown> = { hit: hitToString(host.hit) };
try {
  for (const p of peers) await host.connect({ ip: p.ip, port: p.port }, p.hit, { timeoutMs: 10_000 });
  result.firstClosed = await host.closeAssociation(peers[0].hit);
  result.secondOpen = host.stack.canSend(peers[1].hit);
  await host.close();
  result.closeSent = host.stack.host.counters["tx.CLOSE"] ?? 0;
} catch (e) {
  result.error = (e as Error).message;
}
console.log(JSON.stringify(result));
await host.close();
Deno.exit(0);
