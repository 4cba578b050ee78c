// Two hosts that connect() to each other at the same moment (RFC 7401 §4.4.3, Table 3: the larger
// HIT answers the other's I1, the smaller drops it). Both connect() calls resolve at once (before:
// the one whose exchange lost waited in R2-SENT and rejected "timed out" after 30 s although its
// association worked), data flows both ways, and the answering side becomes ESTABLISHED on the
// peer's first packet. Also connect() to a peer we already have an association with resolves at
// once: ESTABLISHED, or R2-SENT (we answered its exchange; before: "timed out" after 30 s), and
// from a TunnelHost too (before: it waited for an "established" that never came). Real hosts on
// loopback, through the API; the tunnel over a real WebSocket to an in-process FA.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createHost, createIdentity, udp } from "../../src/entry/node.ts";
import { startEchoPeer, startWsFa, wsTunnelHost } from "../tunnel/harness.ts";

test("simultaneous connect(): both resolve within the exchange, data flows both ways", { timeout: 30_000 }, async () => {
  const a = await createHost({ identity: createIdentity(), transport: udp("127.0.0.1:0") });
  const b = await createHost({ identity: createIdentity(), transport: udp("127.0.0.1:0") });
  try {
    const t0 = Date.now();
    const [x, y] = await Promise.all([
      a.connect({ hit: b.hit, locator: b.locators[0] }, { timeoutMs: 5000 }),
      b.connect({ hit: a.hit, locator: a.locators[0] }, { timeoutMs: 5000 }),
    ]);
    assert.ok(Date.now() - t0 < 3000, `took ${Date.now() - t0} ms`);
    const dropped = { ...a.stats().drops, ...b.stats().drops };
    assert.deepEqual(Object.keys(dropped), ["hip.simultaneous_i1_lost"], "one I1 lost the tie-break");
    const got = { a: [] as string[], b: [] as string[] };
    x.on("message", (m) => void got.a.push(new TextDecoder().decode(m.data)));
    y.on("message", (m) => void got.b.push(new TextDecoder().decode(m.data)));
    assert.equal(y.send("from b"), "sent");
    assert.equal(x.send("from a"), "sent");
    for (let i = 0; i < 100 && (got.a.length === 0 || got.b.length === 0); i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(got, { a: ["from b"], b: ["from a"] });
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test("connect() to a peer we already have an association with (R2-SENT, ESTABLISHED) resolves at once", { timeout: 30_000 }, async () => {
  const a = await createHost({ identity: createIdentity(), transport: udp("127.0.0.1:0") });
  const b = await createHost({ identity: createIdentity(), transport: udp("127.0.0.1:0") });
  try {
    await a.connect({ hit: b.hit, locator: b.locators[0] });
    const t0 = Date.now();
    const back = await b.connect({ hit: a.hit, locator: a.locators[0] }, { timeoutMs: 5000 }); // B: R2-SENT
    assert.ok(Date.now() - t0 < 500, `took ${Date.now() - t0} ms`);
    const got: string[] = [];
    a.association(b.hit).on("message", (m) => void got.push(new TextDecoder().decode(m.data)));
    assert.equal(back.send("reply"), "sent");
    for (let i = 0; i < 100 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(got, ["reply"]);
    const t1 = Date.now();
    await a.connect({ hit: b.hit, locator: b.locators[0] }, { timeoutMs: 5000 }); // ESTABLISHED
    assert.ok(Date.now() - t1 < 500);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test("TunnelHost: connect() again to an established peer resolves at once", { timeout: 30_000 }, async () => {
  const { fa, faLoc } = await startWsFa();
  const peer = await startEchoPeer();
  const host = await wsTunnelHost(fa, faLoc);
  try {
    await host.connect(peer.locator, peer.host.hit);
    const t0 = Date.now();
    await host.connect(peer.locator, peer.host.hit, { timeoutMs: 3000 });
    assert.ok(Date.now() - t0 < 500, `took ${Date.now() - t0} ms`);
  } finally {
    await host.close();
    await peer.host.close();
    await fa.close();
  }
});
