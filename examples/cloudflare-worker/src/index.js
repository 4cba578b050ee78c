// A HIP host in a Cloudflare Worker. Workers cannot send UDP: the host opens a WebSocket
// tunnel to a Forwarding Agent (`hipmm fa --ws`), leases a locator there and reaches UDP hosts
// from it. Everything happens inside one request: GET /exchange?url=…&fa=…&peer=…&peerHit=…
//   url      the FA's WebSocket endpoint (ws://127.0.0.1:8080)
//   fa       the FA's UDP locator (127.0.0.1:10600)
//   peer     a UDP HIP host (127.0.0.1:10500) and peerHit its HIT
// answers with JSON: the leased locator, the peer's echoes.
import { createHost, createIdentity, workerTunnel } from "hipmm/worker";
// A `wasm` module binding (config.capnp / wrangler): a precompiled WebAssembly.Module.
import wasm from "./hipmm.wasm";

export default {
  async fetch(request) {
    const u = new URL(request.url);
    if (u.pathname !== "/exchange") return new Response("GET /exchange?url=…&fa=…&peer=…&peerHit=…\n", { status: 404 });
    const q = u.searchParams;
    const messages = (q.get("messages") ?? "hello from a Worker").split(",");
    let host;
    try {
      host = await createHost({ identity: createIdentity(), transport: workerTunnel({ url: q.get("url"), fa: { locator: q.get("fa") }, wasm }) });
      const leased = host.locators.map((l) => `${l.ip}:${l.port}`);
      const assoc = await host.connect({ hit: q.get("peerHit"), locator: q.get("peer") }, { timeoutMs: 10_000 });
      const replies = [];
      await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${replies.length} replies`)), 10_000);
        assoc.on("message", (m) => {
          replies.push(new TextDecoder().decode(m.data));
          if (replies.length === messages.length) {
            clearTimeout(timer);
            resolve();
          }
        });
        for (const m of messages) assoc.send(m);
      });
      return Response.json({ ok: true, hit: host.hit, leased, replies });
    } catch (e) {
      return Response.json({ ok: false, error: e instanceof Error ? e.message : String(e) });
    } finally {
      await host?.close();
    }
  },
};
