// Tunnel test page (test/tunnel/browser.test.ts): a full HIP host (HostStack + WASM data
// plane) in the page, over WebTransport datagrams or a WebSocket to a Forwarding Agent.
import { cryptoRng } from "../../src/core/rng.ts";
import { fromHex } from "../../src/core/bytes.ts";
import { hitFromString } from "../../src/hip/hit.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import { openTunnel, startTunnelHost, type TunnelHost } from "../../src/runtime/browser.ts";
import { parseLocator } from "../../src/transport/types.ts";
import { type Tunnel, WsTunnel } from "../../src/transport/tunnel.ts";
import { WtTunnel } from "../../src/transport/wt-client.ts";
import { type ExchangeResult, exchange, PAGE_MESSAGES } from "./exchange.ts";
import { runReconnect } from "./reconnect.ts";
import { useEmbeddedWasm } from "../../src/wasm/loader.ts";

useEmbeddedWasm(); // the embedded WASM module is the default DataPlane (src/wasm/loader.ts)

export type TunnelPageResult = ExchangeResult & { kind: string; tunnelKind?: string; tunnel?: { datagrams?: number; records?: number } };

declare global {
  interface Window {
    hipmmTunnel?: TunnelPageResult;
  }
}

async function run(q: URLSearchParams): Promise<TunnelPageResult> {
  const kind = q.get("kind") ?? "wt";
  const url = q.get("url")!;
  const fa = parseLocator(q.get("fa") ?? "");
  const peer = parseLocator(q.get("peer") ?? "");
  const peerHit = hitFromString(q.get("peerHit") ?? "");
  if (!url || !fa || !peer || !peerHit) return { ok: false, kind, error: "missing url, fa, peer or peerHit" };
  let tunnel: Tunnel | undefined;
  let host: TunnelHost | undefined;
  try {
    const hash = q.get("hash");
    const hashes = hash ? [fromHex(hash)!] : [];
    if (kind === "wt") tunnel = await WtTunnel.connect(url, { serverCertificateHashes: hashes });
    else if (kind === "ws") tunnel = await WsTunnel.connect(url);
    // auto: WebTransport first, the WebSocket (`ws`) when it fails.
    else tunnel = await openTunnel({ webTransport: { url, serverCertificateHashes: hashes }, webSocket: q.get("ws") ?? undefined, timeoutMs: 3000 });
    host = await startTunnelHost({ identity: HostIdentity.generate(cryptoRng), tunnel, fa: { locator: fa } });
    const r = await exchange(host, peer, peerHit, PAGE_MESSAGES);
    const wt = tunnel instanceof WtTunnel ? { datagrams: tunnel.datagramsSent, records: tunnel.recordsSent } : undefined;
    return { ...r, kind, tunnelKind: tunnel.kind, tunnel: wt };
  } catch (e) {
    return { ok: false, kind, error: e instanceof Error ? e.message : String(e) };
  } finally {
    await host?.close();
    await tunnel?.close();
  }
}

const el = document.getElementById("result")!;
const query = new URLSearchParams(location.search);
// kind=reconnect: the tunnel drops and comes back mid-page (reconnect.ts).
(query.get("kind") === "reconnect" ? runReconnect(query).then((r) => ({ ...r, kind: "reconnect" }) as unknown as TunnelPageResult) : run(query)).then((r) => {
  window.hipmmTunnel = r;
  el.textContent = JSON.stringify(r, null, 2);
  el.dataset.state = r.ok ? "done" : "failed";
});
