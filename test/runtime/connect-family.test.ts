// connect() to a peer of an address family we have no socket for (a host on [::]:0, which is
// IPv6-only, calling an IPv4 peer) fails at once and says why. Before: every I1 was counted
// `transport.unroutable` until the exchange timed out (30 s by default). Real sockets on loopback.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createHost, createIdentity, udp } from "../../src/entry/node.ts";

test("connect() without a socket of the peer's family fails at once, naming the family and our bindings", { timeout: 20_000 }, async () => {
  const a = await createHost({ identity: createIdentity(), transport: udp("[::1]:0") });
  const b = await createHost({ identity: createIdentity(), transport: udp("127.0.0.1:0") });
  try {
    const t0 = Date.now();
    await assert.rejects(a.connect({ hit: b.hit, locator: b.locators[0] }, { timeoutMs: 10_000 }), /no IPv4 address to reach 127\.0\.0\.1:\d+ from \(bound: \[::1\]:\d+\)/);
    assert.ok(Date.now() - t0 < 1000, `took ${Date.now() - t0} ms`);
    assert.deepEqual(a.stats().drops, {}, "nothing sent into the void");
    // With an IPv4 address added, the same call works.
    await a.move({ add: ["127.0.0.1:0"] });
    const x = await a.connect({ hit: b.hit, locator: b.locators[0] }, { timeoutMs: 10_000 });
    assert.equal(x.send("now"), "sent");
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});
