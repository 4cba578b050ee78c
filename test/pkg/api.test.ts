// The high-level API (src/api, the `hipmm` entry point) on real loopback UDP: typed events,
// an association's own events, closing one association, identities as text, bad input.
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { test } from "node:test";
import { tunnelTransport } from "../../src/api/tunnel.ts";
import { faConfig } from "../../src/fa/core/config.ts";
import { FaServer } from "../../src/fa/server/server.ts";
import { MemoryLeaseStore } from "../../src/fa/store/memory.ts";
import { hitToString } from "../../src/hip/hit.ts";
import { createHost, createIdentity, type Host, type HostEvents, identityFromText, identityToText, udp } from "../../src/entry/node.ts";

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
    // A caller's mistakes throw, naming what is wrong; before, a port of 70000 went out as 4464,
    // -1 as 65535, NaN as 0, and a number or an object as data was "seal-failed".
    for (const [port, shown] of [[70_000, "70000"], [-1, "-1"], [Number.NaN, "NaN"], [1.5, "1.5"]] as const) {
      assert.throws(() => assoc.send("x", { dstPort: port }), new RegExp(`RangeError: send: ports 7000 → ${shown}: want integers from 0 to 65535`));
    }
    assert.throws(() => assoc.send(5 as unknown as string), /TypeError: send: data is number: want a Uint8Array/);
    assert.throws(() => assoc.send({} as unknown as string), /TypeError: send: data is object/);
    await assert.rejects(createHost({ identity: createIdentity(), transport: udp("127.0.0.1:0"), port: 99_999 }), /RangeError: port: 99999: want an integer from 0 to 65535/);
    // Without a type checker: a clear TypeError, not "Cannot read properties of undefined".
    await assert.rejects(createHost({ identity: "a.key", transport: udp("127.0.0.1:0") } as never), /TypeError: createHost: identity is not a HostIdentity/);
    await assert.rejects(createHost({ identity: createIdentity() } as never), /TypeError: createHost: no transport/);
    // A tunnel names its FA itself: an `fa` given as well was ignored without a word.
    const neverOpened = tunnelTransport({ locator: "127.0.0.1:9" }, () => Promise.reject(new Error("the tunnel was opened")));
    await assert.rejects(createHost({ identity: createIdentity(), transport: neverOpened, fa: { locator: "127.0.0.1:9" } }), /TypeError: createHost: `fa` is for udp\(\) transports/);
    // A base exchange that cannot complete says with whom, where, after how long, and how far it got
    // (it said "base exchange timed out"): B drops an I1 for a HIT that is not its own.
    const other = createIdentity();
    await assert.rejects(
      a.connect({ hit: other.hit, locator: b.locators[0] }, { timeoutMs: 300 }),
      new RegExp(`base exchange with ${hitToString(other.hit)} at 127\\.0\\.0\\.1:${b.locators[0].port} timed out after 300 ms: no R1 came back \\(nothing listens there, or the peer there has another HIT`),
    );
    await assert.rejects(a.connect({ hit: b.hit, locator: b.locators[0] }, { timeoutMs: Number.NaN }), /RangeError: connect: timeoutMs: NaN/);

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

test("api: association.rekey() gives new ESP keys at once (with a new Diffie-Hellman when asked); data flows on, nothing lost", { timeout: 20_000 }, async () => {
  const hip = { puzzleK: 2 };
  const a = await createHost({ identity: createIdentity(), transport: udp("127.0.0.1:0"), hip, rekey: { newDh: "always" } });
  const b = await createHost({ identity: createIdentity(), transport: udp("127.0.0.1:0"), hip });
  try {
    const assoc = await a.connect({ hit: b.hit, locator: b.locators[0] });
    const got: string[] = [];
    b.association(a.hit).on("message", (m) => got.push(text(m.data)));
    assert.equal(b.association(a.hit).rekey(), false, "B is not ESTABLISHED before A's first datagram: nothing to rekey yet");
    for (let round = 0; round < 3; round++) {
      assert.equal(assoc.send(`before ${round}`), "sent");
      assert.equal(assoc.rekey(), true);
      assert.equal(assoc.send(`during ${round}`), "sent");
      for (let t = 0; t < 100 && ((a.stats().update as Record<string, number>)["rekey.done"] ?? 0) <= round; t++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(assoc.send(`after ${round}`), "sent");
    }
    for (let t = 0; t < 100 && got.length < 9; t++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(got, [0, 1, 2].flatMap((r) => [`before ${r}`, `during ${r}`, `after ${r}`]));
    const update = a.stats().update as Record<string, number>;
    assert.equal(update["rekey.done"], 3);
    assert.equal(update["rekey.dh"], 3, "each with a new Diffie-Hellman (rekey.newDh always)");
    assert.deepEqual(a.stats().drops, {});
    assert.deepEqual(b.stats().drops, {});
    assert.equal(a.association(createIdentity().hit).rekey(), false, "no association with that peer");
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
    // Address literals only: a host name or a malformed address is refused at once (it used to
    // be taken as given, and the base exchange timed out 15 s later).
    for (const bad of ["localhost:10500", "999.1.1.1:10500", "127.1:10500", "[::g]:10500"]) {
      await assert.rejects(h.connect({ locator: bad, hit: h.hit }), new RegExp(`bad locator '${bad.replace(/[[\]]/g, "\\$&")}'`));
    }
    await assert.rejects(h.move({ add: ["localhost:0"] }), /bad locator 'localhost:0'/);
    // Not a locator at all (e.g. `locators[0]` of a closed host): an error naming it, not a TypeError.
    await assert.rejects(h.connect({ locator: undefined as never, hit: h.hit }), /bad locator undefined/);
    await assert.rejects(h.connect({ locator: { ip: "127.0.0.1" } as never }), /bad locator \{"ip":"127\.0\.0\.1"\}/);
    // Adding an address the host already has is a no-op (it failed with EADDRINUSE).
    const mine = h.locators[0];
    await h.move({ add: [mine] });
    assert.deepEqual(h.locators, [mine]);
    await assert.rejects(createHost({ identity: id, transport: udp("localhost:0") }), /bad locator 'localhost:0'/);
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
    assert.equal(fa.stats().leases, 1);
    // close() gives the lease back (draft §4.4.1, a zero-lifetime FAQ): it used to stay at the FA
    // until it ran out, counted against the FA's limits, with traffic forwarded to a closed host.
    await b.close();
    await a.close();
    assert.equal(fa.stats().leases, 0, "the lease was released");
    // Closed before its first FAQ was answered: the lease that answer brings is released too
    // (it used to stay at the FA until it ran out).
    const quick = await createHost({ identity: createIdentity(), transport: udp("127.0.0.1:0"), hip, fa: faAddr });
    await quick.close();
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(fa.stats().leases, 0, "no lease left by a host closed at once");
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

test("api (hipmm/node): public-key crypto on node:crypto — a move's REA signed natively, never with @noble; stats() by layer", { timeout: 20_000 }, async () => {
  const a = await createHost({ identity: createIdentity(), transport: udp("127.0.0.1:0"), hip: { puzzleK: 2 } });
  const b = await createHost({ identity: createIdentity(), transport: udp("127.0.0.1:0"), hip: { puzzleK: 2 } });
  try {
    const assoc = await a.connect({ hit: b.hit, locator: b.locators[0] });
    const got = new Promise<string>((resolve) => b.on("message", (m) => resolve(text(m.data))));
    const movedAtB = once((k, cb) => b.on(k, cb), "moved");
    await a.move({ add: ["127.0.0.2:0"], remove: [a.locators[0]] });
    const m = await movedAtB;
    assert.equal(m.to?.remote.ip, "127.0.0.2");
    assoc.send("from the new address");
    assert.equal(await got, "from the new address");
    const sa = a.stats();
    const sb = b.stats();
    assert.ok((sa.mobility.reaSent as number) >= 1, JSON.stringify(sa.mobility));
    // What the core signs inline (the REA) is signed by node:crypto: @noble takes ~1.6 ms per
    // P-256 signature, blocking the event loop while the peer's data goes to the old address.
    const ca = sa.hip.crypto as { jobs: number; inline: { native: number; noble: number } };
    const cb = sb.hip.crypto as { jobs: number; inline: { native: number; noble: number } };
    assert.equal(ca.inline.noble, 0, JSON.stringify(ca));
    assert.ok(ca.inline.native >= 1, JSON.stringify(ca));
    assert.equal(cb.inline.noble, 0, JSON.stringify(cb));
    assert.ok(ca.jobs >= 2 && cb.jobs >= 2, `crypto jobs: A ${ca.jobs}, B ${cb.jobs}`);
    assert.deepEqual(Object.keys(sa).sort(), ["drops", "esp", "held", "hip", "mobility", "transport", "update"]);
    // A datagram too large for one UDP packet after ESP is refused and counted; 65,000 bytes pass.
    const big = new Promise<number>((resolve) => b.on("message", (m) => m.data.length > 1000 && resolve(m.data.length)));
    assert.equal(assoc.send(new Uint8Array(70_000)), "too-big");
    assert.equal(assoc.send(new Uint8Array(65_000)), "sent");
    assert.equal(await big, 65_000);
    assert.equal(a.stats().drops["esp.too-big"], 1, JSON.stringify(a.stats().drops));
    // `drops` names what was dropped: no zero entries (the layers keep every counter).
    assert.deepEqual(Object.entries(sa.drops).filter(([, v]) => v === 0), [], JSON.stringify(sa.drops));
    assert.equal((sa.mobility.rejected as Record<string, number>)["bad-hmac"], 0, "zero counters stay in their layer");
  } finally {
    await a.close();
    await b.close();
  }
});

/** B echoes; A streams numbered datagrams to B, 2 per ms; `lost()` lists those not echoed back. */
async function echoStream(a: Host, b: Host) {
  b.on("message", (m) => b.association(m.peer).send(m.data));
  const assoc = await a.connect({ hit: b.hit, locator: b.locators[0] });
  const echoed = new Set<number>();
  assoc.on("message", (m) => echoed.add(new DataView(m.data.buffer, m.data.byteOffset).getUint32(0)));
  let seq = 0;
  let timer: ReturnType<typeof setInterval> | undefined = setInterval(() => {
    for (let i = 0; i < 2; i++) {
      const p = new Uint8Array(64);
      new DataView(p.buffer).setUint32(0, seq++);
      assoc.send(p);
    }
  }, 1);
  return {
    get sent() {
      return seq;
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
    lost(): number[] {
      const out: number[] = [];
      for (let x = 0; x < seq; x++) if (!echoed.has(x)) out.push(x);
      return out;
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("api: move() loses nothing in flight — the old address keeps receiving while the peer checks the new one, then closes; an address regained at once gets its socket back", { timeout: 30_000 }, async () => {
  const a = await createHost({ identity: createIdentity(), transport: udp("127.0.0.2:0"), hip: { puzzleK: 2 } });
  const b = await createHost({ identity: createIdentity(), transport: udp("127.0.0.1:0"), hip: { puzzleK: 2 } });
  let stream: Awaited<ReturnType<typeof echoStream>> | undefined;
  try {
    stream = await echoStream(a, b);
    await sleep(100);
    // Hard handovers (the old address given up as the new one comes): B sends to the old address
    // until its address check of the new one passes. Before the drain, ~3 of B's echoes per move
    // went to a closed socket.
    const first = a.locators[0];
    for (const ip of ["127.0.0.3", "127.0.0.4", "127.0.0.5"]) {
      await a.move({ add: [`${ip}:0`], remove: [a.locators[0]] });
      await sleep(150);
    }
    assert.equal((a.stats().transport?.draining as number) >= 1, true, JSON.stringify(a.stats().transport));
    // Back to the first address, exact port, while its socket still drains: reused, not bound again (EADDRINUSE).
    await a.move({ add: [first], remove: [a.locators[0]] });
    assert.deepEqual(a.locators, [first]);
    await sleep(150);
    stream.stop();
    await sleep(200);
    const lost = stream.lost();
    assert.deepEqual(lost, [], `${lost.length} of ${stream.sent} datagrams lost over 4 moves`);
    // The drained sockets close 2 s after the last removal.
    for (let i = 0; i < 60 && (a.stats().transport?.draining as number) > 0; i++) await sleep(100);
    assert.equal(a.stats().transport?.draining, 0);
    assert.equal(a.stats().transport?.sockets, 1);
  } finally {
    stream?.stop();
    await a.close();
    await b.close();
  }
});

for (const dataPlane of ["inline", "worker", "worker-io"] as const) {
  test(`api (${dataPlane}): a hard move to the other address family (IPv4 → IPv6 → IPv4) loses nothing; what waits for the new path is held, not dropped`, { timeout: 30_000 }, async () => {
    const a = await createHost({ identity: createIdentity(), transport: udp("127.0.0.2:0", { dataPlane }) });
    const b = await createHost({ identity: createIdentity(), transport: udp(["127.0.0.1:0", "[::1]:0"]) });
    let stream: Awaited<ReturnType<typeof echoStream>> | undefined;
    try {
      stream = await echoStream(a, b);
      await sleep(100);
      // B's IPv6 address is not verified yet: A has no path until its address check passes.
      // Before, datagrams went on the old path from the address given up (unroutable: no IPv4
      // socket left), and the one riding in the REA was lost when that REA found no path.
      for (const to of ["[::1]:0", "127.0.0.3:0", "[::1]:0"]) {
        await a.move({ add: [to], remove: [a.locators[0]] });
        await sleep(200);
      }
      stream.stop();
      await sleep(200);
      const lost = stream.lost();
      assert.deepEqual(lost, [], `${lost.length} of ${stream.sent} datagrams lost over 3 moves`);
      const s = a.stats();
      // No drops. B used to acknowledge each REA with one more address check to A's old address
      // (its draining socket dropped it: mobility.ac-to-foreign-address, one per move).
      assert.deepEqual(s.drops, {}, JSON.stringify(s.drops));
      assert.ok((s.held?.held as number) >= 1, `some waited for the IPv6 path: ${JSON.stringify(s.held)}`);
      assert.equal(s.held?.sent, s.held?.held, "each held datagram was sent");
      assert.equal(a.locators[0].ip, "::1");
    } finally {
      stream?.stop();
      await a.close();
      await b.close();
    }
  });
}

test("api: an exception thrown by an application listener reaches the application (uncaught, asynchronously), not the stack: every message and move still processed, no drop counted", { timeout: 20_000 }, async () => {
  // node:test's own handler would fail this test on the uncaught errors we expect: hold it aside.
  const saved = process.rawListeners("uncaughtException") as ((e: Error) => void)[];
  process.removeAllListeners("uncaughtException");
  const uncaught: string[] = [];
  process.on("uncaughtException", (e) => uncaught.push(e.message));
  const a = await createHost({ identity: createIdentity(), transport: udp("127.0.0.1:0") });
  const b = await createHost({ identity: createIdentity(), transport: udp("127.0.0.1:0") });
  try {
    let got = 0;
    let second = 0;
    b.on("established", (e) => {
      const as = b.association(e.peer)!;
      as.on("message", () => {
        got++;
        if (got % 10 === 0) throw new Error(`app bug at ${got}`);
      });
      as.on("message", () => second++); // a listener after the throwing one still runs
    });
    a.on("moved", () => {
      throw new Error("app bug in moved");
    });
    const assoc = await a.connect({ hit: b.hit, locator: b.locators[0] });
    for (let i = 0; i < 50; i++) assoc.send("x");
    for (let i = 0; i < 200 && got < 50; i++) await new Promise((r) => setTimeout(r, 10));
    await a.move({ add: ["127.0.0.2:0"], remove: [a.locators[0]] });
    for (let i = 0; i < 200 && !uncaught.includes("app bug in moved"); i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(got, 50);
    assert.equal(second, 50);
    assert.deepEqual(uncaught.filter((m) => m.startsWith("app bug at")), ["app bug at 10", "app bug at 20", "app bug at 30", "app bug at 40", "app bug at 50"]);
    assert.ok(uncaught.includes("app bug in moved"), JSON.stringify(uncaught));
    // The stack saw no error of its own: before, each was counted as `esp.exception` (b) and
    // the move's processing stopped at the throwing listener (a).
    assert.deepEqual(b.stats().drops, {});
    assert.equal(a.stats().drops["esp.exception"], undefined, JSON.stringify(a.stats().drops));
    // The move completed: data flows from the new address.
    const before = got;
    assoc.send("after the move");
    for (let i = 0; i < 200 && got === before; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(got, before + 1);
  } finally {
    await a.close();
    await b.close();
    process.removeAllListeners("uncaughtException");
    for (const l of saved) process.on("uncaughtException", l);
  }
});

test("api: after close(), send says no-association and connect / move fail with 'host closed' (a move used to bind a socket that held the process)", { timeout: 20_000 }, async () => {
  const a = await createHost({ identity: createIdentity(), transport: udp("127.0.0.1:0") });
  const b = await createHost({ identity: createIdentity(), transport: udp("127.0.0.1:0") });
  const assoc = await a.connect({ hit: b.hit, locator: b.locators[0] });
  await Promise.all([a.close(), a.close()]);
  await b.close();
  assert.equal(assoc.send("x"), "no-association");
  await assert.rejects(a.connect({ hit: b.hit, locator: b.locators[0] }), /host closed/);
  const port = await freePort();
  await assert.rejects(a.move({ add: [`127.0.0.2:${port}`] }), /host closed/);
  // Nothing was bound there: the port is free (the socket bound by the old move was never closed).
  const s = createSocket("udp4");
  await new Promise<void>((res, rej) => {
    s.once("error", rej);
    s.bind(port, "127.0.0.2", () => res());
  });
  s.close();
});

async function freePort(): Promise<number> {
  const s = createSocket("udp4");
  await new Promise<void>((res) => s.bind(0, "127.0.0.2", () => res()));
  const { port } = s.address();
  await new Promise<void>((res) => s.close(() => res()));
  return port;
}

test("api: Host.associations() and Association.info() say what each association does now: state, the path ESP takes (the new one after a move), SAs, when last heard", { timeout: 20_000 }, async () => {
  const a = await createHost({ identity: createIdentity(), transport: udp("127.0.0.1:0"), hip: { puzzleK: 2 } });
  const b = await createHost({ identity: createIdentity(), transport: udp("127.0.0.2:0"), hip: { puzzleK: 2 } });
  try {
    assert.deepEqual(a.associations(), []);
    assert.equal(a.association(b.hit).info(), undefined, "no association yet");
    const gotAtB = once((k, cb) => b.on(k, cb), "message");
    const assoc = await a.connect({ hit: b.hit, locator: b.locators[0] });
    assert.equal(assoc.send("hello"), "sent");
    await gotAtB;
    const ia = assoc.info();
    assert.ok(ia);
    assert.equal(ia.peer, b.hit);
    assert.equal(ia.state, "ESTABLISHED");
    assert.equal(ia.initiator, true);
    assert.deepEqual(ia.path, { local: a.locators[0], remote: b.locators[0] });
    assert.equal(ia.espSuite, 13, "AES-GCM-16, the default");
    const ib = b.association(a.hit).info();
    assert.ok(ib);
    assert.equal(ib.state, "ESTABLISHED", "the Responder, after the first ESP");
    assert.equal(ib.initiator, false);
    assert.deepEqual([ib.spiIn, ib.spiOut], [ia.spiOut, ia.spiIn], "one SA pair seen from both ends");
    assert.ok(ib.heardMsAgo !== undefined && ib.heardMsAgo < 5000, `heard ${ib.heardMsAgo} ms ago`);
    const { heardMsAgo: _, ...rest } = ia;
    assert.deepEqual(a.associations().map(({ heardMsAgo: _h, ...r }) => r), [rest]);
    // B moves: A's path follows once B's new address passed its address check (REA / AC / ACR).
    const moved = once((k, cb) => a.on(k, cb), "moved");
    await b.move({ add: ["127.0.0.3:0"], remove: [b.locators[0]] });
    await moved;
    assert.deepEqual(a.association(b.hit).info()?.path, { local: a.locators[0], remote: b.locators[0] });
    assert.equal(b.locators[0].ip, "127.0.0.3");
    await assoc.close();
    assert.equal(assoc.info(), undefined, "closed: gone");
    assert.deepEqual(a.associations(), []);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test("api: a server whose peers come and go keeps no handle per peer; listeners set before a peer connects get its messages, across reconnects, on every handle", { timeout: 30_000 }, async () => {
  const hip = { puzzleK: 0 };
  const b = await createHost({ identity: createIdentity(), transport: udp("127.0.0.1:0"), hip });
  const held = () => (b as unknown as { assocs: Map<string, unknown> }).assocs.size;
  const ida = createIdentity();
  const got: string[] = [];
  const onMsg = (m: { data: Uint8Array }) => got.push(text(m.data));
  try {
    // A handle asked for but not listened to is not kept (a caller polling info() of many HITs).
    assert.equal(b.association(createIdentity().hit).info(), undefined);
    assert.equal(held(), 0);
    const early = b.association(ida.hit);
    const w = b.association(ida.hit).on("message", onMsg);
    assert.equal(b.association(ida.hit), w, "the listened handle is the peer's handle");
    // A handle made before anyone listened shares the peer's listeners once it listens.
    const also: string[] = [];
    const onAlso = (m: { data: Uint8Array }) => also.push(text(m.data));
    assert.notEqual(early, w);
    early.on("message", onAlso);
    // 12 peers connect, send, close: the host used to keep one handle for each peer ever seen.
    for (let i = 0; i < 12; i++) {
      const a = await createHost({ identity: createIdentity(), transport: udp("127.0.0.1:0"), hip });
      const s = await a.connect({ hit: b.hit, locator: b.locators[0] });
      const closed = once((k, cb) => b.on(k, cb), "closed");
      assert.equal(s.send(`peer ${i}`), "sent");
      await s.close();
      await closed;
      await a.close();
    }
    assert.equal(held(), 1, "only the handle with a listener is kept");
    // The listened peer connects twice: the listener set before gets both sessions' messages.
    const a = await createHost({ identity: ida, transport: udp("127.0.0.1:0"), hip });
    try {
      for (const round of ["one", "two"]) {
        const s = await a.connect({ hit: b.hit, locator: b.locators[0] });
        const closed = once((k, cb) => b.on(k, cb), "closed");
        s.send(round);
        for (let t = 0; t < 200 && !got.includes(round); t++) await new Promise((r) => setTimeout(r, 5));
        await s.close();
        await closed;
      }
    } finally {
      await a.close();
    }
    assert.deepEqual(got, ["one", "two"]);
    assert.deepEqual(also, ["one", "two"]);
    early.off("message", onAlso);
    assert.equal(held(), 1);
    w.off("message", onMsg);
    assert.equal(held(), 0, "no listener left: nothing kept");
  } finally {
    await b.close();
  }
});

test("api: with a Worker data plane a full seal queue refuses sends ('seal-failed'), the host's 'drain' lets the sender go on; all delivered in order", { timeout: 20_000 }, async () => {
  const a = await createHost({ identity: createIdentity(), transport: udp("127.0.0.1:0", { dataPlane: "worker" }), hip: { puzzleK: 2, limits: { maxEspQueue: 16 } } });
  const b = await createHost({ identity: createIdentity(), transport: udp("127.0.0.1:0"), hip: { puzzleK: 2 } });
  try {
    const assoc = await a.connect({ hit: b.hit, locator: b.locators[0] });
    const total = 400;
    const got: string[] = [];
    const all = new Promise<void>((resolve) => b.on("message", (m) => got.push(text(m.data)) === total && resolve()));
    let next = 0;
    let refused = 0;
    let drains = 0;
    const pump = (): void => {
      for (; next < total; next++) {
        if (assoc.send(`d${next}`) === "seal-failed") {
          refused++;
          return; // the host says when to go on
        }
      }
    };
    a.on("drain", () => {
      drains++;
      pump();
    });
    pump();
    await Promise.race([all, new Promise((_, reject) => setTimeout(() => reject(new Error(`stuck at ${next}/${total}: ${got.length} delivered, ${refused} refused, ${drains} drains`)), 10_000))]);
    assert.deepEqual(got, Array.from({ length: total }, (_, i) => `d${i}`));
    assert.ok(refused >= 1 && drains >= 1, `refused ${refused}, drains ${drains}`);
    assert.equal(a.stats().drops["esp.seal.queue-full"], refused);
  } finally {
    await a.close();
    await b.close();
  }
});

test("api: datagrams held for want of a path and never sent are reported — 'dropped' on the host and the association (queue full, held too long)", { timeout: 20_000 }, async () => {
  const hip = { puzzleK: 2 };
  const a = await createHost({ identity: createIdentity(), transport: udp("127.0.0.1:0"), hip, sendQueue: { limit: 4, timeoutMs: 300 } });
  const b = await createHost({ identity: createIdentity(), transport: udp("127.0.0.1:0"), hip });
  try {
    await assert.rejects(createHost({ identity: createIdentity(), transport: udp("127.0.0.1:0"), sendQueue: { limit: -1 } }), /RangeError: sendQueue.limit: -1: want an integer from 0/);
    const assoc = await a.connect({ hit: b.hit, locator: b.locators[0] });
    const got: string[] = [];
    b.on("message", (m) => got.push(text(m.data)));
    assoc.send("before");
    for (let i = 0; i < 100 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    const onHost: HostEvents["dropped"][] = [];
    const onAssoc: HostEvents["dropped"][] = [];
    a.on("dropped", (d) => onHost.push(d));
    assoc.on("dropped", (d) => onAssoc.push(d));
    // A gives up its only address: no path to B; sends are held (4 at most), the rest refused.
    await a.move({ remove: [a.locators[0]] });
    const status: string[] = [];
    for (let i = 0; i < 20 && status.filter((s) => s === "no-path").length < 2; i++) status.push(assoc.send(`held ${i}`));
    assert.equal(status.filter((s) => s === "queued").length, 4, status.join());
    assert.deepEqual(onHost, [
      { peer: b.hit, count: 1, reason: "queue-full" },
      { peer: b.hit, count: 1, reason: "queue-full" },
    ]);
    // Nothing comes back within 300 ms: the 4 held ones are dropped and reported (in one event, or
    // a few when they were held at different milliseconds), each once.
    const expired = () => onHost.filter((d) => d.reason === "no-path-timeout").reduce((n, d) => n + d.count, 0);
    for (let i = 0; i < 200 && expired() < 4; i++) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(expired(), 4);
    assert.ok(onHost.slice(2).every((d) => d.peer === b.hit && d.reason === "no-path-timeout"));
    assert.deepEqual(onAssoc, onHost, "the association hears its own drops");
    assert.equal(a.stats().drops["held.no-path-timeout"], 4);
    assert.equal(a.stats().drops["held.queue-full"], 2);
  } finally {
    await a.close();
    await b.close();
  }
});

test("api: datagrams sent while a base exchange runs are 'queued'; when it fails they are reported 'dropped' (no-association), not lost in silence", { timeout: 20_000 }, async () => {
  const hip = { puzzleK: 2, retransmit: { initialMs: 50, maxTries: 2, maxMs: 100 } };
  const a = await createHost({ identity: createIdentity(), transport: udp("127.0.0.1:0"), hip });
  const b = await createHost({ identity: createIdentity(), transport: udp("127.0.0.1:0"), hip });
  try {
    const nobody = createIdentity(); // B is at that locator: it drops I1s for this HIT
    const dropped: HostEvents["dropped"][] = [];
    a.on("dropped", (d) => dropped.push(d));
    const failed = a.connect({ hit: nobody.hit, locator: b.locators[0] }, { timeoutMs: 5000 });
    const assoc = a.association(nobody.hit);
    assert.deepEqual([assoc.send("one"), assoc.send("two"), assoc.send("three")], ["queued", "queued", "queued"]);
    // The core gave up retransmitting: the error says with whom and how far it got (was "base exchange failed: timeout").
    await assert.rejects(failed, new RegExp(`base exchange failed: timeout \\(with ${hitToString(nobody.hit)} at 127\\.0\\.0\\.1:${b.locators[0].port}, retransmissions ran out: no R1 came back`));
    assert.deepEqual(dropped, [{ peer: hitToString(nobody.hit), count: 3, reason: "no-association" }]);
    assert.equal(a.stats().drops["esp.queued.no-association"], 3);
  } finally {
    await a.close();
    await b.close();
  }
});

test("api: a move that cannot be made changes nothing and names the locator (a bad one among good ones binds none; an address not of this machine)", { timeout: 20_000 }, async () => {
  const hip = { puzzleK: 2 };
  const a = await createHost({ identity: createIdentity(), transport: udp("127.0.0.1:0"), hip });
  const b = await createHost({ identity: createIdentity(), transport: udp("127.0.0.1:0"), hip });
  try {
    const assoc = await a.connect({ hit: b.hit, locator: b.locators[0] });
    const before = a.locators.map((l) => `${l.ip}:${l.port}`);
    const binds = () => (process as unknown as { _getActiveHandles(): object[] })._getActiveHandles().filter((h) => h.constructor.name === "UDP").length;
    const n0 = binds();
    await assert.rejects(a.move({ add: ["127.0.0.2:0", "bogus"] }), /bad locator 'bogus'/);
    await assert.rejects(a.move({ add: ["127.0.0.3:0"], remove: ["x"] }), /bad locator 'x'/);
    // 192.0.2.1 (TEST-NET-1) is nobody's address here: the bind fails, named (was "bind EADDRNOTAVAIL 192.0.2.1").
    await assert.rejects(a.move({ add: ["127.0.0.4:0", "192.0.2.1:0"] }), /^Error: move: cannot bind 192\.0\.2\.1:0: bind EADDRNOTAVAIL/);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(a.locators.map((l) => `${l.ip}:${l.port}`), before, "no locator added or removed");
    assert.equal(binds(), n0, "no socket left bound");
    const got = once((k, cb) => b.on(k, cb), "message");
    assert.equal(assoc.send("still here"), "sent");
    assert.equal(text((await got).data), "still here");
  } finally {
    await a.close();
    await b.close();
  }
});

test("api: udp(…, { followInterfaces }) watches the kernel's interfaces while the host runs and stops with it; refused without mobility", { timeout: 20_000 }, async () => {
  const { execFileSync } = await import("node:child_process");
  const monitors = () => {
    try {
      return execFileSync("pgrep", ["-f", "-P", String(process.pid), "ip -o monitor"], { encoding: "utf8" }).trim().split("\n").filter(Boolean).length;
    } catch {
      return 0;
    }
  };
  await assert.rejects(createHost({ identity: createIdentity(), transport: udp("127.0.0.1:0", { followInterfaces: true }), mobility: false }), /followInterfaces needs mobility/);
  const h = await createHost({ identity: createIdentity(), transport: udp("127.0.0.1:0", { followInterfaces: { pollMs: 500 } }) });
  try {
    assert.equal(h.locators.length, 1, "loopback is never followed (and no other interface was named)");
    if (process.platform === "linux") assert.equal(monitors(), 1, "kernel events watched (ip monitor)");
  } finally {
    await h.close();
  }
  // The watcher's shell (a child of this process) is gone with the host (Linux, `ip` present).
  for (let i = 0; i < 40 && monitors() > 0; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(monitors(), 0);
});
