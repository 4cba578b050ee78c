// workerd side of test/tunnel/workerd.test.ts: on GET /exchange?url=…&fa=…&peer=…&peerHit=…
// a HIP host (src/runtime/edge.ts) opens a WebSocket tunnel to the FA, leases a locator, runs
// a base exchange with the UDP host and exchanges datagrams, then answers with the result.
// @ts-expect-error: resolved by workerd's module registry, not by TypeScript.
import hipmmWasm from "./hipmm.wasm";
import { cryptoRng } from "../../src/core/rng.ts";
import { hitFromString } from "../../src/hip/hit.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import type { TunnelHost } from "../../src/runtime/browser.ts";
import { runtimeInfo } from "../../src/runtime/detect.ts";
import { startEdgeHost } from "../../src/runtime/edge.ts";
import { parseLocator } from "../../src/transport/types.ts";
import { exchange } from "../../web/tunnel/exchange.ts";

export default {
  async fetch(request: Request): Promise<Response> {
    const u = new URL(request.url);
    if (u.pathname !== "/exchange") return new Response("not found", { status: 404 });
    const q = u.searchParams;
    const fa = parseLocator(q.get("fa") ?? "");
    const peer = parseLocator(q.get("peer") ?? "");
    const peerHit = hitFromString(q.get("peerHit") ?? "");
    if (!fa || !peer || !peerHit || !q.get("url")) return new Response("bad query", { status: 400 });
    let host: TunnelHost | undefined;
    try {
      host = await startEdgeHost({ url: q.get("url")!, wasm: hipmmWasm as WebAssembly.Module, identity: HostIdentity.generate(cryptoRng), fa: { locator: fa } });
      const r = await exchange(host, peer, peerHit, (q.get("messages") ?? "hello from a worker").split(","));
      return Response.json({ ...r, runtime: runtimeInfo().runtime });
    } catch (e) {
      return Response.json({ ok: false, error: e instanceof Error ? e.message : String(e) });
    } finally {
      await host?.close();
    }
  },
};
