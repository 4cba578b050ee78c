// Tunnel test page, `kind=reconnect` (test/tunnel/browser-reconnect.test.ts): a tunnel host
// that comes back by itself (connectTunnelHost: WebTransport if `url` is given, else/then the
// WebSocket `ws`). Phase 1: lease, base exchange, messages and echoes. Then the test restarts
// the FA; the page waits for the one `path-changed` event and sends again (no reconnect code).
import { cryptoRng } from "../../src/core/rng.ts";
import { fromHex } from "../../src/core/bytes.ts";
import { hitFromString } from "../../src/hip/hit.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import { connectTunnelHost, type TunnelHost } from "../../src/runtime/browser.ts";
import type { TunnelPathChanged } from "../../src/runtime/tunnel-resume.ts";
import { parseLocator } from "../../src/transport/types.ts";
import { type ExchangeResult, exchange } from "./exchange.ts";
import { useEmbeddedWasm } from "../../src/wasm/loader.ts";

useEmbeddedWasm(); // the embedded WASM module is the default DataPlane (src/wasm/loader.ts)

export interface ReconnectPageResult {
  ok: boolean;
  first?: ExchangeResult;
  changes?: Omit<TunnelPathChanged, "lease">[];
  lease?: { before: unknown; after: unknown };
  /** Echoes received for the messages sent after the path came back. */
  after?: string[];
  error?: string;
}

declare global {
  interface Window {
    hipmmReconnectPhase?: "first-done";
  }
}

export async function runReconnect(q: URLSearchParams): Promise<ReconnectPageResult> {
  const fa = parseLocator(q.get("fa") ?? "");
  const peer = parseLocator(q.get("peer") ?? "");
  const peerHit = hitFromString(q.get("peerHit") ?? "");
  const ws = q.get("ws") ?? undefined;
  const url = q.get("url") ?? undefined;
  if (!fa || !peer || !peerHit || (!ws && !url)) return { ok: false, error: "missing fa, peer, peerHit or ws/url" };
  const hash = q.get("hash");
  let host: TunnelHost | undefined;
  try {
    host = await connectTunnelHost({
      identity: HostIdentity.generate(cryptoRng),
      endpoints: [{ fa: { locator: fa }, webSocket: ws, ...(url ? { webTransport: { url, serverCertificateHashes: hash ? [fromHex(hash)!] : [] } } : {}) }],
      reconnect: { pingIntervalMs: 500 },
    });
    const changes: TunnelPathChanged[] = [];
    host.on("path-changed", (ev) => changes.push(ev));
    const before = host.lease?.locator;
    const first = await exchange(host, peer, peerHit, ["before the drop"]);
    if (!first.ok) return { ok: false, first, error: "no echo before the drop" };
    window.hipmmReconnectPhase = "first-done";
    for (let i = 0; i < 600 && changes.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    if (changes.length === 0) return { ok: false, first, error: "no path-changed within 30 s" };
    const echoes: string[] = [];
    host.on("message", (m) => echoes.push(new TextDecoder().decode(m.data)));
    // Datagrams, not a stream: send until one echo is back (the peer may still be checking the path).
    for (let i = 0; i < 100 && echoes.length === 0; i++) {
      host.send(peerHit, 7000, 7001, new TextEncoder().encode(`after the drop ${i}`));
      await new Promise((r) => setTimeout(r, 50));
    }
    const strip = ({ lease: _l, ...rest }: TunnelPathChanged) => rest;
    return { ok: echoes.length > 0, first, changes: changes.map(strip), lease: { before, after: host.lease?.locator }, after: echoes };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  } finally {
    await host?.close();
  }
}
