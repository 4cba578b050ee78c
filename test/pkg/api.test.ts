// The high-level API (src/api, the `hipmm` entry point) on real loopback UDP: typed events,
// an association's own events, closing one association, identities as text, bad input.
import assert from "node:assert/strict";
import { test } from "node:test";
import { faConfig } from "../../src/fa/core/config.ts";
import { FaServer } from "../../src/fa/server/server.ts";
import { MemoryLeaseStore } from "../../src/fa/store/memory.ts";
import { hitToString } from "../../src/hip/hit.ts";
import { createHost, createIdentity, type HostEvents, identityFromText, identityToText, udp } from "../../src/entry/node.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);

function once<K extends keyof HostEvents>(on: (k: K, cb: (ev: HostEvents[K]) => void) => unknown, type: K, ms = 5000): Promise<HostEvents[K]> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${String(type)} event`)), ms);
    on(type, (ev) => {
      clearTimeout(t);
      resolve(ev);
    });
  });
}

test("api: connect, typed events on both sides, per-association messages, close one association", { timeout: 20_000 }, async () => {
  const hip = { puzzleK: 2 };
  const a = await createHost({ identity: createIdentity(), transport: udp("127.0.0.1:0"), hip, port: 7000 });
  const b = await createHost({ identity: createIdentity("Ed25519"), transport: udp(["127.0.0.1:0"]), hip, port: 7000 });
  try {
    const upAtB = once((k, cb) => b.on(k, cb), "established");
    const assoc = await a.connect({ hit: b.hit, locator: b.locators[0] });
    assert.equal(assoc.peer, b.hit);
    const atB = once((k, cb) => b.association(a.hit).on(k as "message", cb as never), "message");
    assert.equal(assoc.send("ping"), "sent");
    // The Responder is ESTABLISHED at the first ESP packet after R2 (RFC 7401 §4.4.2, R2-SENT).
    const up = await upAtB;
    assert.equal(up.peer, a.hit);
    assert.equal(up.initiator, false);
    assert.deepEqual(up.locator, a.locators[0]);
    const m = await atB;
    assert.equal(text(m.data), "ping");
    assert.equal(m.peer, a.hit);
    assert.deepEqual([m.srcPort, m.dstPort], [7000, 7000]);

    const closedAtB = once((k, cb) => b.on(k, cb), "closed");
    const closedAtA = once((k, cb) => assoc.on(k as "closed", cb as never), "closed");
    await assoc.close();
    assert.deepEqual(await closedAtB, { peer: a.hit, reason: "peer" });
    assert.deepEqual(await closedAtA, { peer: b.hit, reason: "local" });
    assert.equal(assoc.send("after close"), "no-association");
  } finally {
    await a.close();
    await b.close();
  }
});

test("api: identities as keyfile text; bad locators and HITs are errors naming the input", async () => {
  const id = createIdentity("P-384");
  const back = identityFromText(identityToText(id));
  assert.deepEqual(back.hit, id.hit);
  assert.throws(() => identityFromText("{}"), /identityFromText/);
  const h = await createHost({ identity: id, transport: udp("127.0.0.1:0") });
  try {
    await assert.rejects(h.connect({ locator: "nowhere" }), /bad locator 'nowhere'/);
    await assert.rejects(h.connect({ locator: "127.0.0.1:1", hit: "2001:db8::1" }), /bad HIT '2001:db8::1'/);
    await assert.rejects(h.move({ add: ["127.0.0.1:99999"] }), /bad locator/);
  } finally {
    await h.close();
  }
  assert.throws(() => udp([]), /at least one locator/);
});

test("api: a host leasing from a Forwarding Agent sees typed `lease` events (leased; reached at the leased locator)", { timeout: 20_000 }, async () => {
  const at = { ip: "127.0.0.1", port: 0 };
  const faId = createIdentity();
  const fa = await FaServer.start({ identity: faId, config: faConfig({ control: [at], shared4: [at], puzzle: "off" }), store: new MemoryLeaseStore() });
  const hip = { puzzleK: 2 };
  const faAddr = { locator: `${fa.udp[0].ip}:${fa.udp[0].port}`, hit: hitToString(faId.hit) };
  const a = await createHost({ identity: createIdentity(), transport: udp("127.0.0.1:0"), hip, fa: faAddr });
  const b = await createHost({ identity: createIdentity(), transport: udp("127.0.0.1:0"), hip });
  try {
    const ev = await once((k, cb) => a.on(k, cb), "lease");
    assert.equal(ev.reason, "leased");
    assert.deepEqual(ev.fa, fa.udp[0]);
    assert.equal(ev.locator?.ip, fa.udp[0].ip, "the leased locator is an FA interface (draft §5)");
    const atA = once((k, cb) => a.on(k, cb), "message");
    const assoc = await b.connect({ hit: a.hit, locator: ev.locator! });
    assert.equal(assoc.send("via the FA"), "sent");
    assert.equal(text((await atA).data), "via the FA");
  } finally {
    await b.close();
    await a.close();
    await fa.close();
  }
});

test("api: a peer that goes silent → reachability false on the host and the association, then closed with reason unreachable", { timeout: 20_000 }, async () => {
  const mobility = { policy: { probeIntervalMs: 50, failoverTimeoutMs: 150, peerDeadMs: 400 } };
  const a = await createHost({ identity: createIdentity(), transport: udp("127.0.0.1:0"), hip: { puzzleK: 2 }, mobility });
  const b = await createHost({ identity: createIdentity(), transport: udp("127.0.0.1:0"), hip: { puzzleK: 2 } });
  let timer: ReturnType<typeof setInterval> | undefined;
  try {
    const assoc = await a.connect({ hit: b.hit, locator: b.locators[0] });
    timer = setInterval(() => assoc.send("tick"), 20);
    await once((k, cb) => b.on(k, cb), "established");
    const onHost = once((k, cb) => a.on(k, cb), "reachability");
    const onAssoc = once((k, cb) => assoc.on(k as "reachability", cb as never), "reachability");
    const closed = once((k, cb) => a.on(k, cb), "closed");
    // B stops without a CLOSE (0: send nothing): to A it simply vanishes.
    await (b.backend as unknown as { close(waitMs: number): Promise<void> }).close(0);
    const r = await onHost;
    assert.equal(r.peer, b.hit);
    assert.equal(r.reachable, false);
    assert.ok(r.silentMs >= 150, `silent ${r.silentMs} ms`);
    assert.deepEqual(await onAssoc, r);
    assert.deepEqual(await closed, { peer: b.hit, reason: "unreachable" });
    assert.equal(assoc.send("after"), "no-association");
  } finally {
    clearInterval(timer);
    await a.close();
    await b.close();
  }
});

test("api without mobility: the heartbeat reports a silent peer (reachability false), then closed with reason unreachable", { timeout: 20_000 }, async () => {
  const hip = { puzzleK: 2, heartbeatMs: 200, retransmit: { initialMs: 100, maxTries: 3 } };
  const a = await createHost({ identity: createIdentity(), transport: udp("127.0.0.1:0"), hip, mobility: false });
  const b = await createHost({ identity: createIdentity(), transport: udp("127.0.0.1:0"), hip: { puzzleK: 2 }, mobility: false });
  let timer: ReturnType<typeof setInterval> | undefined;
  try {
    const assoc = await a.connect({ hit: b.hit, locator: b.locators[0] });
    timer = setInterval(() => assoc.send("tick"), 50);
    await once((k, cb) => b.on(k, cb), "established");
    const r = once((k, cb) => assoc.on(k as "reachability", cb as never), "reachability");
    const closed = once((k, cb) => a.on(k, cb), "closed");
    await (b.backend as unknown as { close(waitMs: number): Promise<void> }).close(0);
    assert.equal((await r).reachable, false);
    assert.deepEqual(await closed, { peer: b.hit, reason: "unreachable" });
  } finally {
    clearInterval(timer);
    await a.close();
    await b.close();
  }
});
