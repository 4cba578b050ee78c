// A HIP host in a page over WebTransport to the Deno FA (fa.ts). Query parameters:
//   wt=https://127.0.0.1:4433/hipmm   the FA's WebTransport endpoint
//   hash=…                            cert.sha256 (hex) from cert.sh
//   fa=127.0.0.1:10600                the FA's UDP locator
//   peer=127.0.0.1:10500, peerHit=…   a UDP HIP host and its HIT
import { createHost, createIdentity, tunnel } from "hipmm/browser";

const q = new URLSearchParams(location.search);
const hexBytes = (h) => Uint8Array.from(h.match(/../g).map((b) => Number.parseInt(b, 16)));
const result = { ok: false, replies: [] };

async function run() {
  const transport = tunnel({
    webTransport: { url: q.get("wt"), serverCertificateHashes: [hexBytes(q.get("hash"))] },
    fa: { locator: q.get("fa") },
  });
  const host = await createHost({ identity: createIdentity(), transport });
  try {
    result.hit = host.hit;
    result.leased = host.locators.map((l) => `${l.ip}:${l.port}`);
    result.tunnel = host.backend.socket.tunnel.kind;
    const assoc = await host.connect({ hit: q.get("peerHit"), locator: q.get("peer") });
    const messages = ["hello over WebTransport", "second datagram"];
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
    document.getElementById("out").textContent = JSON.stringify(result, null, 2);
    window.hipmmExample = result;
  });
