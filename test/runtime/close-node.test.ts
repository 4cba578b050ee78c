// The Node host sends CLOSE (RFC 7401 §5.3.7, §6.14): `closeAssociation(peerHit)` closes one
// association and resolves once the CLOSE_ACK came; `close()` CLOSEs every established one
// before the sockets go, so UDP peers see "closed" (reason "peer") instead of keeping a stale
// association. The same through the high-level API (hipmm/node: Association.close(), Host.close()).
// Real UDP on 127.0.0.1.
import assert from "node:assert/strict";
import { test } from "node:test";
import { cryptoRng } from "../../src/core/rng.ts";
import { createHost, createIdentity, udp } from "../../src/entry/node.ts";
import { hitToString } from "../../src/hip/hit.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import type { RuntimeHost } from "../../src/runtime/host.ts";
import { startNodeHost } from "../../src/runtime/node.ts";

const hip = { puzzleK: 1 };
const start = () => startNodeHost({ identity: HostIdentity.generate(cryptoRng), listen: ["127.0.0.1:0"], hip });

function closedEvents(h: RuntimeHost): string[] {
  const out: string[] = [];
  h.on("closed", (ev) => out.push(`${hitToString(ev.peerHit)} ${ev.reason}`));
  return out;
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), what);
}

test("node host: closeAssociation() sends CLOSE to one peer; close() CLOSEs the others before the sockets go", { timeout: 30_000 }, async () => {
  const [a, b, c] = await Promise.all([start(), start(), start()]);
  const seen = { b: closedEvents(b), c: closedEvents(c) };
  const me = hitToString(a.hit);
  try {
    await a.connect(b.locals[0], b.hit);
    await a.connect(c.locals[0], c.hit);
    // Responders: R2-SENT until the first ESP packet, a state a CLOSE also ends (RFC 7401 §4.4.2).
    for (const p of [b, c]) assert.ok(["R2-SENT", "ESTABLISHED"].includes(p.stack.host.association(a.hit)?.state ?? ""), "peer has the association");

    assert.equal(await a.closeAssociation(b.hit), true, "CLOSE_ACK from b");
    await until(() => seen.b.length === 1, "b saw the CLOSE");
    assert.deepEqual(seen.b, [`${me} peer`]);
    assert.ok(!["R2-SENT", "ESTABLISHED"].includes(b.stack.host.association(a.hit)?.state ?? ""), "b dropped the association");
    assert.deepEqual(seen.c, [], "c untouched");
    assert.equal(a.stack.canSend(c.hit), true);

    await a.close();
    await until(() => seen.c.length === 1, `c saw the CLOSE of a.close(): ${JSON.stringify(seen)}`);
    assert.deepEqual(seen.c, [`${me} peer`]);
    assert.ok(!["R2-SENT", "ESTABLISHED"].includes(c.stack.host.association(a.hit)?.state ?? ""), "c keeps no stale association");
    assert.equal(a.stack.host.counters["tx.CLOSE"] ?? 0, 2, "one CLOSE per association (CLOSE_ACK came at once)");
  } finally {
    await Promise.all([a.close(), b.close(), c.close()]);
  }
});

test("node host: close() toward a vanished peer still sends CLOSE and returns after its bound; close(0) sends nothing", { timeout: 30_000 }, async () => {
  const [a, b, c] = await Promise.all([start(), start(), start()]);
  try {
    await a.connect(b.locals[0], b.hit);
    await c.connect(b.locals[0], b.hit);
    await b.close(0); // b vanishes without a CLOSE: a and c keep their associations
    assert.equal(a.stack.host.association(b.hit)?.state, "ESTABLISHED");
    assert.equal(c.stack.host.association(b.hit)?.state, "ESTABLISHED");
    assert.equal(b.stack.host.counters["tx.CLOSE"] ?? 0, 0, "close(0): no CLOSE");
    await a.close(200); // no CLOSE_ACK can come: bounded by 200 ms, then the sockets close
    assert.ok((a.stack.host.counters["tx.CLOSE"] ?? 0) >= 1, "a sent its CLOSE");
  } finally {
    await Promise.all([a.close(), b.close(), c.close()]);
  }
});

test("hipmm/node high-level API: Association.close() and Host.close() end the peer's association", { timeout: 30_000 }, async () => {
  const a = await createHost({ identity: createIdentity(), transport: udp("127.0.0.1:0"), hip });
  const b = await createHost({ identity: createIdentity(), transport: udp("127.0.0.1:0"), hip });
  const c = await createHost({ identity: createIdentity(), transport: udp("127.0.0.1:0"), hip });
  const closedAtB: string[] = [];
  const closedAtC: string[] = [];
  b.on("closed", (e) => closedAtB.push(`${e.peer} ${e.reason}`));
  c.on("closed", (e) => closedAtC.push(`${e.peer} ${e.reason}`));
  try {
    const ab = await a.connect({ hit: b.hit, locator: b.locators[0] });
    await a.connect({ hit: c.hit, locator: c.locators[0] });
    const ownClosed = new Promise<string>((r) => ab.on("closed", (e) => r(e.reason)));
    await ab.close();
    assert.equal(await ownClosed, "local", "a's association object saw its own close");
    await until(() => closedAtB.length === 1, "b saw closed");
    assert.deepEqual(closedAtB, [`${a.hit} peer`]);
    assert.deepEqual(closedAtC, []);
    await a.close();
    await until(() => closedAtC.length === 1, "c saw closed");
    assert.deepEqual(closedAtC, [`${a.hit} peer`]);
  } finally {
    await Promise.all([a.close(), b.close(), c.close()]);
  }
});
