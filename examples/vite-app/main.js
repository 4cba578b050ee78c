// A HIP host in a browser page, built with `vite build`. Query parameters:
//   ws=ws://127.0.0.1:8080   the FA's WebSocket tunnel endpoint (`hipmm fa --ws 127.0.0.1:8080`)
//   fa=127.0.0.1:10600       the FA's UDP locator (`hipmm fa --udp 127.0.0.1:10600`)
//   peer=127.0.0.1:10500     a UDP HIP host (`hipmm host --listen 127.0.0.1:10500`)
//   peerHit=2001:2…          its HIT
// The page leases a locator from the FA through the tunnel, connects to the peer from there
// and sends three datagrams; ESP runs in hipmm's module Worker, which Vite emits as a chunk.
import { createHost, createIdentity, tunnel } from "hipmm/browser";

const q = new URLSearchParams(location.search);
const out = document.getElementById("out");
const result = { ok: false, replies: [] };

async function run() {
  const host = await createHost({
    identity: createIdentity(),
    transport: tunnel({ webSocket: q.get("ws"), fa: { locator: q.get("fa") }, dataPlane: "worker" }),
  });
  try {
    result.hit = host.hit;
    result.leased = host.locators.map((l) => `${l.ip}:${l.port}`);
    const assoc = await host.connect({ hit: q.get("peerHit"), locator: q.get("peer") });
    const messages = ["hello from a Vite app", "second datagram", "third"];
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${result.replies.length} replies`)), 10_000);
      assoc.on("message", (m) => {
        result.replies.push(new TextDecoder().decode(m.data));
        if (result.replies.length === messages.length) {
          clearTimeout(timer);
          resolve();
        }
      });
      for (const m of messages) assoc.send(m);
    });
    result.ok = true;
  } finally {
    await host.close();
  }
}

run()
  .catch((e) => {
    result.error = e instanceof Error ? e.message : String(e);
  })
  .finally(() => {
    out.textContent = JSON.stringify(result, null, 2);
    window.hipmmExample = result;
  });
