// A TunnelHost (src/runtime/browser.ts) driven from Node over a WebSocket tunnel (the `ws`
// package standing in for the browser's WebSocket) to an in-process Node FA server: lease,
// base exchange and ESP both ways with a UDP host through the FA. Fast check of the runtime
// without a browser; the Chromium and workerd tests repeat it in the real runtimes.
import assert from "node:assert/strict";
import { test } from "node:test";
import { bytes, startEchoPeer, startWsFa, text, wsTunnelHost } from "./harness.ts";

test("tunnel host over WebSocket: lease, base exchange, ESP both ways with a UDP host via the FA", { timeout: 20_000 }, async () => {
  const { fa, faLoc } = await startWsFa();
  const peer = await startEchoPeer();
  let host: Awaited<ReturnType<typeof wsTunnelHost>> | undefined;
  try {
    host = await wsTunnelHost(fa, faLoc);
    const lease = host.lease!;
    assert.deepEqual(lease.locator, faLoc, "shared IPv4 locator leased");
    const replies: string[] = [];
    host.on("message", (m) => replies.push(text(m.data)));
    const hit = await host.connect(peer.locator, peer.host.hit);
    assert.deepEqual(hit, peer.host.hit);
    const spiIn = host.stack.host.association(hit)!.spiIn;
    assert.ok(spiIn >= lease.spiMin && spiIn <= lease.spiMax, "inbound SPI from the leased range (FA forwards ESP by SPI)");
    assert.equal(host.send(hit, 7000, 7001, bytes("hello through the FA")), "sent");
    for (let i = 0; i < 200 && replies.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(replies, ["echo:hello through the FA"]);
    assert.deepEqual(peer.established.map((e) => e.peer), [faLoc], "the UDP host saw us at the leased locator");
    assert.deepEqual(peer.got[0].from, faLoc);
    assert.ok(peer.got[0].spi >= 0, "ESP");
    assert.ok(fa.stats().toHost >= 2 && fa.stats().toPeer >= 2);
  } finally {
    await host?.close();
    await peer.host.close();
    await fa.close();
  }
});

test("tunnel host with a Worker data plane: a full seal queue refuses sends, its 'drain' lets the sender go on; the peer gets every datagram in order", { timeout: 30_000 }, async () => {
  const { fa, faLoc } = await startWsFa();
  const peer = await startEchoPeer();
  let host: Awaited<ReturnType<typeof wsTunnelHost>> | undefined;
  try {
    host = await wsTunnelHost(fa, faLoc, { dataPlane: "worker", hip: { puzzleK: 2, limits: { maxEspQueue: 16 } } });
    const h = host;
    const hit = await h.connect(peer.locator, peer.host.hit);
    const total = 300;
    let next = 0;
    let refused = 0;
    let drains = 0;
    const pump = (): void => {
      for (; next < total; next++) {
        if (h.send(hit, 7000, 7001, bytes(`t${next}`)) === "seal-failed") {
          refused++;
          return;
        }
      }
    };
    h.on("drain", () => {
      drains++;
      pump();
    });
    pump();
    for (let i = 0; i < 500 && peer.got.length < total; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(next, total, `the sender was left waiting: ${refused} refused, ${drains} drains`);
    // (The echoes meet the same 16-datagram queue on the way in: some are dropped, counted.)
    assert.deepEqual(
      peer.got.map((m) => text(m.data)),
      Array.from({ length: total }, (_, i) => `t${i}`),
      JSON.stringify({ fa: fa.stats().drops, peer: peer.host.stats().drops }),
    );
    assert.ok(refused >= 1 && drains >= 1, `refused ${refused}, drains ${drains}`);
  } finally {
    await host?.close();
    await peer.host.close();
    await fa.close();
  }
});
