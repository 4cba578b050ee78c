// Deno side of test/tunnel/deno-wt.test.ts: a TunnelHost (src/runtime/browser.ts) in Deno over
// Deno's WebTransport client to the Deno FA server, i.e. the browser path without a browser.
// Args: WT-URL CERT-SHA256-HEX FA-IP:PORT PEER-IP:PORT PEER-HIT. Prints one JSON line.
import { fromHex } from "../../src/core/bytes.ts";
import { cryptoRng } from "../../src/core/rng.ts";
import { hitFromString } from "../../src/hip/hit.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import { startTunnelHost } from "../../src/runtime/browser.ts";
import { parseLocator } from "../../src/transport/types.ts";
import { WtTunnel } from "../../src/transport/wt-client.ts";
import { exchange } from "../../web/tunnel/exchange.ts";
import "../../src/wasm/loader.ts"; // registers the embedded WASM module as the default (src/wasm/instantiate.ts)

const [url, hash, fa, peer, peerHit] = Deno.args;
let out: Record<string, unknown>;
try {
  const tunnel = await WtTunnel.connect(url, { serverCertificateHashes: [fromHex(hash)!] });
  const host = await startTunnelHost({ identity: HostIdentity.generate(cryptoRng), tunnel, fa: { locator: parseLocator(fa)! } });
  const r = await exchange(host, parseLocator(peer)!, hitFromString(peerHit)!, ["hello from deno", "y".repeat(1300)]);
  out = { ...r, datagrams: tunnel.datagramsSent, records: tunnel.recordsSent, maxDatagramSize: tunnel.maxDatagramSize };
  await host.close();
} catch (e) {
  out = { ok: false, error: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) };
}
console.log(JSON.stringify(out));
Deno.exit(0);
