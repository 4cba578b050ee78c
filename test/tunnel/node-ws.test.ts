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
