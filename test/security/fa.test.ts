// Issue 9, "FA" attacks: store failures, lease caps, the catch-and-count boundary, the store
// file's mode, FAD amplification. (Relay: fa-relay.test.ts; WebSocket + logs: fa-ws.test.ts.)
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { SeededRng } from "../../src/core/rng.ts";
import { ForwardingAgent } from "../../src/fa/core/agent.ts";
import { faConfig } from "../../src/fa/core/config.ts";
import { buildFaq, parseFaPacket } from "../../src/fa/core/messages.ts";
import { FadReason } from "../../src/fa/core/reasons.ts";
import { unwrapRelay, wrapRelay } from "../../src/fa/core/relay.ts";
import { hitHex } from "../../src/fa/store/lease.ts";
import { MemoryLeaseStore } from "../../src/fa/store/memory.ts";
import { SqliteLeaseStore } from "../../src/fa/store/sqlite.ts";
import { frameHip } from "../../src/wire/framing.ts";
import { PacketType } from "../../src/wire/constants.ts";
import { espPacket } from "../fa/harness.ts";
import { faq, FullDiskStore, identity, startFa, udp } from "./fa-helpers.ts";

test("FA store write fails (disk full): FAQ gets FAD STORE_FAILED, server lives, granted lease keeps forwarding", { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "hipmm-fa-store-"));
  const store = new FullDiskStore(new SqliteLeaseStore(join(dir, "leases.db")));
  const logs: Record<string, unknown>[] = [];
  const { server, port, faHit } = await startFa({}, { store, log: (r) => logs.push(r) });
  const a = await udp();
  const b = await udp();
  const peer = await udp();
  try {
    const faa = await faq(a, port, identity(500), faHit, { requestId: 1, leaseId: 0, lifetime: 300, addrType: 4, spis: 16 });
    assert.equal(faa.packetType, PacketType.FAA);
    const lease = faa.info!;
    const spi = (lease.address as { minSpi: number }).minSpi;
    store.full = true;
    // a new lease, a renewal and a release all fail to write: each answered FAD STORE_FAILED
    const fad = await faq(b, port, identity(501), faHit, { requestId: 1, leaseId: 0, lifetime: 300, addrType: 4, spis: 16 });
    assert.equal(fad.packetType, PacketType.FAD);
    assert.equal(fad.notifyType, FadReason.STORE_FAILED);
    const renew = await faq(a, port, identity(500), faHit, { requestId: 2, leaseId: lease.leaseId, lifetime: 600, addrType: 4, spis: 16 });
    assert.equal(renew.notifyType, FadReason.STORE_FAILED);
    const release = await faq(a, port, identity(500), faHit, { requestId: 3, leaseId: lease.leaseId, lifetime: 0, addrType: 4, spis: 16 });
    assert.equal(release.notifyType, FadReason.STORE_FAILED);
    // the lease granted before the failure still forwards, both ways
    await peer.send(espPacket(spi, 1, 200), port);
    const fwd = unwrapRelay((await a.next()).data);
    assert.ok(fwd && fwd.payload.length === 200);
    await a.send(wrapRelay({ ip: "127.0.0.1", port }, { ip: "127.0.0.1", port: peer.port }, espPacket(0x4242, 1, 100)), port);
    assert.equal((await peer.next()).data.length, 100);
    const st = server.stats();
    assert.equal(st.storeErrors, 3);
    assert.equal(st.leases, 1);
    assert.equal(logs.filter((l) => l.msg === "lease store error").length, 1, "store errors logged once per interval");
    // the disk has room again: the next FAQ is granted
    store.full = false;
    const ok = await faq(b, port, identity(501), faHit, { requestId: 2, leaseId: 0, lifetime: 300, addrType: 4, spis: 16 });
    assert.equal(ok.packetType, PacketType.FAA);
  } finally {
    await Promise.all([a.close(), b.close(), peer.close()]);
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("FA on a really full disk (tmpfs filled up): FAD STORE_FAILED, server lives, the lease keeps forwarding", { timeout: 60_000 }, async (t) => {
  if (process.getuid?.() !== 0 && process.env.CI !== "true") return t.skip("needs root to mount a small tmpfs");
  const dir = mkdtempSync(join(tmpdir(), "hipmm-fa-full-"));
  execFileSync("mount", ["-t", "tmpfs", "-o", "size=512k", "tmpfs", dir]);
  let server: Awaited<ReturnType<typeof startFa>>["server"] | undefined;
  const a = await udp();
  const b = await udp();
  const peer = await udp();
  try {
    const store = new SqliteLeaseStore(join(dir, "leases.db"));
    const fa = await startFa({}, { store });
    server = fa.server;
    const faa = await faq(a, fa.port, identity(540), fa.faHit, { requestId: 1, leaseId: 0, lifetime: 300, addrType: 4, spis: 16 });
    assert.equal(faa.packetType, PacketType.FAA);
    const spi = (faa.info!.address as { minSpi: number }).minSpi;
    // fill the file system
    try {
      for (let i = 0; i < 64; i++) writeFileSync(join(dir, `fill-${i}`), new Uint8Array(64 * 1024));
    } catch (e) {
      assert.equal((e as { code?: string }).code, "ENOSPC");
    }
    let refused = 0;
    for (let i = 0; i < 8 && refused === 0; i++) {
      const r = await faq(b, fa.port, identity(541), fa.faHit, { requestId: i + 1, leaseId: 0, lifetime: 300, addrType: 4, spis: 16 });
      if (r.packetType === PacketType.FAD) {
        assert.equal(r.notifyType, FadReason.STORE_FAILED);
        refused++;
      }
    }
    assert.equal(refused, 1, "a FAQ was refused STORE_FAILED once the disk was full");
    await peer.send(espPacket(spi, 1, 200), fa.port);
    assert.ok(unwrapRelay((await a.next()).data));
    assert.ok(server.stats().storeErrors >= 1);
  } finally {
    await Promise.all([a.close(), b.close(), peer.close()]);
    await server?.close();
    execFileSync("umount", ["-l", dir]);
    rmSync(dir, { recursive: true, force: true });
  }
});

test("FA lease caps: per source address and global, refused with FAD reasons", () => {
  const fa = new ForwardingAgent({
    identity: identity(1),
    config: faConfig({ control: [{ ip: "192.0.2.1", port: 10500 }], shared4: [{ ip: "192.0.2.1", port: 10500 }], puzzle: "off", maxLeases: 3, leasesPerSource: 2 }),
    store: new MemoryLeaseStore(),
    rng: new SeededRng(9),
  });
  const ask = (seed: number, ip: string, port: number) => {
    fa.handleDatagram(0, 0, ip, port, frameHip(buildFaq(identity(seed), fa.hit, { requestId: 1, leaseId: 0, lifetime: 60, addrType: 4, spis: 16 })));
    const t = fa.pollTransmit();
    assert.ok(t);
    const p = parseFaPacket(t.data.subarray(4));
    assert.ok(p.ok);
    return p.value.packetType === PacketType.FAA ? "FAA" : p.value.notifyType;
  };
  assert.equal(ask(600, "198.51.100.1", 1), "FAA");
  assert.equal(ask(601, "198.51.100.1", 2), "FAA");
  assert.equal(ask(602, "198.51.100.1", 3), FadReason.TOO_MANY_FROM_SOURCE, "third lease from one address");
  assert.equal(ask(602, "198.51.100.2", 1), "FAA");
  assert.equal(ask(603, "198.51.100.3", 1), FadReason.FA_FULL, "global cap");
  assert.equal(fa.store.size, 3);
});

test("FA boundary: a store that throws on lookups or writes never throws out of the agent", () => {
  const broken = new MemoryLeaseStore();
  const boom = () => {
    throw new Error("store corrupted");
  };
  const fa = new ForwardingAgent({ identity: identity(1), config: faConfig({ control: [{ ip: "192.0.2.1", port: 10500 }], shared4: [{ ip: "192.0.2.1", port: 10500 }], puzzle: "off" }), store: broken, rng: new SeededRng(9) });
  Object.assign(broken, { bySpi: boom, byHitBytes: boom, byHit: boom, removeExpired: boom });
  assert.equal(fa.handleDatagram(0, 0, "198.51.100.1", 1, espPacket(0x10000, 1)), undefined);
  const hip = frameHip(buildFaq(identity(700), new Uint8Array(16).fill(7), { requestId: 1, leaseId: 0, lifetime: 60, addrType: 4, spis: 16 }));
  assert.equal(fa.handleDatagram(0, 0, "198.51.100.1", 1, hip), undefined); // HIP for a (would-be) leased HIT
  fa.handleDatagram(0, 0, "198.51.100.1", 1, frameHip(buildFaq(identity(700), fa.hit, { requestId: 1, leaseId: 0, lifetime: 60, addrType: 4, spis: 16 })));
  fa.handleTimeout(1);
  assert.equal(fa.counters.errors, 4);
  assert.equal(fa.counters.drops.internal_error, 4);
  const events = [];
  for (let e = fa.pollEvent(); e; e = fa.pollEvent()) events.push(e.type);
  assert.deepEqual(events, ["error", "error", "error", "error"]);
});

test("FA store file is 0600 (database, -wal, -shm), also when it existed with a wider mode", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hipmm-fa-mode-"));
  const old = process.umask(0o022);
  try {
    for (const pre of [false, true]) {
      const f = join(dir, `leases-${pre}.db`);
      if (pre) {
        writeFileSync(f, "");
        chmodSync(f, 0o644);
      }
      const s = new SqliteLeaseStore(f);
      await s.create({ hit: "20010010000000000000000000000001", leaseId: 1, addrType: 4, locator: { ip: "192.0.2.1", port: 10500 }, spiMin: 0x10000, spiMax: 0x1000f, expires: 9e12, firstExpiry: 9e12, host: { ip: "198.51.100.1", port: 1 }, tunnel: false, requestId: 1, created: 0 });
      for (const x of [f, `${f}-wal`, `${f}-shm`]) {
        assert.ok(existsSync(x), x);
        assert.equal(statSync(x).mode & 0o777, 0o600, `${x} mode`);
      }
      s.close();
    }
  } finally {
    process.umask(old);
    rmSync(dir, { recursive: true, force: true });
  }
});

test("FA amplification: no unauthenticated FAQ gets an answer larger than itself", () => {
  const fa = new ForwardingAgent({ identity: identity(1), config: faConfig({ control: [{ ip: "192.0.2.1", port: 10500 }], shared4: [{ ip: "192.0.2.1", port: 10500 }], puzzle: "off" }), store: new MemoryLeaseStore(), rng: new SeededRng(9) });
  const forged: Uint8Array[] = [];
  for (let i = 0; i < 20; i++) {
    const f = buildFaq(identity(800 + (i % 3)), fa.hit, { requestId: i, leaseId: 0, lifetime: 60, addrType: 4, spis: 16 });
    if (i % 2 === 0) f[f.length - 3] ^= 0x40; // bad signature
    else f.set(identity(900).hit, 8); // HIT ≠ HOST_ID
    forged.push(frameHip(f));
  }
  // garbage with a valid header only
  const g = new Uint8Array(4 + 48);
  g.set([59, 5, PacketType.FAQ, 0x21], 4);
  g.set(fa.hit, 4 + 24);
  forged.push(g);
  let inBytes = 0;
  let outBytes = 0;
  for (const d of forged) {
    inBytes += d.length;
    fa.handleDatagram(0, 0, "198.51.100.9", 7, d);
    for (let t = fa.pollTransmit(); t; t = fa.pollTransmit()) {
      assert.ok(t.data.length <= d.length, `reply ${t.data.length} > request ${d.length}`);
      outBytes += t.data.length;
    }
  }
  assert.ok(outBytes <= inBytes);
  assert.equal(fa.store.size, 0);
});

test("a valid FAQ replayed from other (spoofed) sources gets no freshly signed FAA; the host's own retransmission still does", () => {
  const base = { control: [{ ip: "192.0.2.1", port: 10500 }], shared4: [{ ip: "192.0.2.1", port: 10500 }], pool6: [], puzzle: "off" as const };
  const fa = new ForwardingAgent({ identity: identity(1), config: faConfig(base), store: new MemoryLeaseStore(), rng: new SeededRng(9) });
  const host = identity(71);
  const f = { requestId: 300, leaseId: 0, lifetime: 60, addrType: 4 as const, spis: 0 };
  const drain = () => {
    let n = 0;
    for (let t = fa.pollTransmit(); t; t = fa.pollTransmit()) n += t.data.length;
    return n;
  };
  const first = frameHip(buildFaq(host, fa.hit, f));
  fa.handleDatagram(0, 0, "198.51.100.71", 5000, first);
  assert.ok(drain() > 0, "the FAQ is answered (FAA)");
  const leaseId = fa.store.byHit(hitHex(host.hit))[0].leaseId;
  const renewal = frameHip(buildFaq(host, fa.hit, { ...f, requestId: 301, leaseId }));
  fa.handleDatagram(1, 0, "198.51.100.71", 5000, renewal);
  assert.ok(drain() > 0, "the renewal is answered");
  // An eavesdropper replays both captured FAQs from 200 spoofed victims' addresses.
  let inBytes = 0;
  let outBytes = 0;
  for (let i = 0; i < 200; i++) {
    const d = i % 2 ? first : renewal;
    inBytes += d.length;
    fa.handleDatagram(2 + i, 0, `203.0.113.${1 + (i % 250)}`, 4000 + i, d);
    outBytes += drain();
  }
  assert.equal(outBytes, 0, `bytes out ${outBytes} for ${inBytes} bytes of replayed FAQs`);
  assert.equal(fa.stats().drops.faq_replayed, 200);
  // The host itself retransmitting (its FAA was lost) is answered again.
  fa.handleDatagram(500, 0, "198.51.100.71", 5000, renewal);
  assert.ok(drain() > 0, "retransmission from the lease's own host locator is answered");
});
