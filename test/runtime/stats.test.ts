// HostStack.stats() / RuntimeHost.stats(): one plain, JSON-serialisable object with every layer's
// counters and every drop by reason, fed by real datagrams into a real stack.
import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRng } from "../../src/core/rng.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import { startNodeHost } from "../../src/runtime/node.ts";
import { HostStack } from "../../src/runtime/stack.ts";
import { addTree, counterTree, dropsOf } from "../../src/runtime/stats.ts";

const A = { ip: "127.0.0.1", port: 10500 };
const B = { ip: "127.0.0.2", port: 10500 };

test("HostStack.stats(): HIP, ESP and demux drops by reason, mobility sessions, plain data", () => {
  const rng = new SeededRng(7);
  const stack = new HostStack({ host: { identity: HostIdentity.generate(rng, "P-256"), rng }, mobility: {}, addresses: [A] });
  const s0 = stack.stats();
  assert.deepEqual(Object.keys(s0).sort(), ["drops", "esp", "hip", "mobility", "update"]);
  assert.equal(s0.mobility.sessions, 0);
  stack.handleDatagram(1, new Uint8Array([0, 0, 0, 0, 0x3b, 1, 2]), B, A); // HIP, shorter than a header
  stack.handleDatagram(2, new Uint8Array([1, 2]), B, A); // no marker, no SPI
  stack.handleDatagram(3, new Uint8Array([0, 0, 0x12, 0x34, 0, 0, 0, 1, 9, 9, 9, 9]), B, A); // ESP, unknown SPI
  const s = stack.stats();
  assert.equal(s.drops["hip.malformed"], 1);
  assert.equal(s.hip["drop.malformed"], 1);
  assert.equal(s.drops["esp.rx.malformed"], 1);
  const espDrops = Object.entries(s.drops).filter(([k]) => k.startsWith("esp.") && k !== "esp.rx.malformed");
  assert.equal(espDrops.reduce((n, [, v]) => n + v, 0), 1, JSON.stringify(s.drops));
  assert.deepEqual(JSON.parse(JSON.stringify(s)), s);
  // A copy: later drops do not change an earlier snapshot.
  stack.handleDatagram(4, new Uint8Array([0, 0, 0, 0, 0x3b]), B, A);
  assert.equal(s.drops["hip.malformed"], 1);
  assert.equal(stack.stats().drops["hip.malformed"], 2);
});

test("counter helpers: deep copy of numbers only, sums, drops found at any depth", () => {
  const t = counterTree({ a: 1, s: "x", n: { "drop.x": 2, arr: [1], deep: { rejected: { y: 3 } } }, big: 5n });
  assert.deepEqual(t, { a: 1, n: { "drop.x": 2, deep: { rejected: { y: 3 } } }, big: 5 });
  assert.deepEqual(addTree({ a: 1, n: { b: 1 } }, { a: 2, n: { b: 3, c: 1 } }), { a: 3, n: { b: 4, c: 1 } });
  assert.deepEqual(dropsOf("l", { "drop.bad": 1, drop: 1, drops: { short: 2 }, rejected: { "bad-hmac": 4 }, "rx.relay-drop": 5, ok: 9 }), {
    "l.bad": 1,
    "l.short": 2,
    "l.bad-hmac": 4,
    "l.rx.relay-drop": 5,
  });
});

test("RuntimeHost.stats() on real UDP sockets", async () => {
  const h = await startNodeHost({ identity: HostIdentity.generate(new SeededRng(9), "P-256"), listen: ["127.0.0.1:0"] });
  try {
    const s = h.stats();
    assert.equal(typeof s.hip, "object");
    assert.equal(s.worker, undefined);
    assert.deepEqual(s.drops, {});
    assert.deepEqual(s.transport, { sockets: 1, draining: 0 });
    // What the sockets could not carry: a datagram the kernel refuses (EMSGSIZE: node:dgram tells
    // only a completion callback) and one with no socket of its family.
    h.driver.sockets.send({ to: { ip: "127.0.0.1", port: 9 }, data: new Uint8Array(70_000) });
    h.driver.sockets.send({ to: { ip: "::1", port: 9 }, data: new Uint8Array(8) });
    for (let i = 0; i < 50 && !h.stats().drops["transport.EMSGSIZE"]; i++) await new Promise((r) => setTimeout(r, 10));
    const t = h.stats();
    assert.equal(t.drops["transport.EMSGSIZE"], 1, JSON.stringify(t.drops));
    assert.equal(t.drops["transport.unroutable"], 1);
    assert.deepEqual(t.transport, { sockets: 1, draining: 0, drop: { EMSGSIZE: 1, unroutable: 1 } });
  } finally {
    await h.close();
  }
});
