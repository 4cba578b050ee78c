// Deno side of test/tunnel/deno-wt-reconnect.test.ts: a tunnel host that comes back by itself
// (connectTunnelHost) over Deno's WebTransport client to the Deno FA server. Phase 1: lease,
// base exchange, one echo; prints {"phase":"first-done"}. The test then restarts the FA; the
// script only waits for the one `path-changed` event and sends until an echo is back.
// Args: WT-URL CERT-SHA256-HEX FA-IP:PORT PEER-IP:PORT PEER-HIT. Prints JSON lines.
import { fromHex } from "../../src/core/bytes.ts";
import { cryptoRng } from "../../src/core/rng.ts";
import { hitFromString } from "../../src/hip/hit.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import { connectTunnelHost } from "../../src/runtime/browser.ts";
import type { TunnelPathChanged } from "../../src/runtime/tunnel-resume.ts";
import { parseLocator } from "../../src/transport/types.ts";
import { exchange } from "../../web/tunnel/exchange.ts";
import "../../src/wasm/loader.ts"; // registers the embedded WASM module as the default (src/wasm/instantiate.ts)

const [url, hash, fa, peer, peerHit] = Deno.args;
let out: Record<string, unknown>;
try {
  const host = await connectTunnelHost({
    identity: HostIdentity.generate(cryptoRng),
    endpoints: [{ fa: { locator: parseLocator(fa)! }, webTransport: { url, serverCertificateHashes: [fromHex(hash)!] } }],
    reconnect: { pingIntervalMs: 300 },
  });
  const changes: TunnelPathChanged[] = [];
  host.on("path-changed", (ev) => changes.push(ev));
  const hit = hitFromString(peerHit)!;
  const first = await exchange(host, parseLocator(peer)!, hit, ["before the drop"]);
  console.log(JSON.stringify({ phase: "first-done", ok: first.ok, kind: host.socket.tunnel.kind }));
  for (let i = 0; i < 600 && changes.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
  const echoes: string[] = [];
  host.on("message", (m) => echoes.push(new TextDecoder().decode(m.data)));
  for (let i = 0; i < 100 && changes.length > 0 && echoes.length === 0; i++) {
    host.send(hit, 7000, 7001, new TextEncoder().encode(`after the drop ${i}`));
    await new Promise((r) => setTimeout(r, 50));
  }
  out = { ok: echoes.length > 0, changes: changes.map(({ lease, ...c }) => ({ ...c, spiMin: lease.spiMin })), echoes };
  await host.close();
} catch (e) {
  out = { ok: false, error: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) };
}
console.log(JSON.stringify(out));
Deno.exit(0);
