import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { hitEquals, hitHex, hitKeyBytes, hitKeyHex, type Lease } from "../../src/fa/store/lease.ts";
import { MemoryLeaseStore } from "../../src/fa/store/memory.ts";
import { SqliteLeaseStore } from "../../src/fa/store/sqlite.ts";
import type { LeaseIndex } from "../../src/fa/core/lease-index.ts";

function hit(i: number): string {
  return `2001002${i.toString(16).padStart(25, "0")}`;
}

function lease4(i: number, expires: number, leaseId = 1): Lease {
  return {
    hit: hit(i),
    leaseId,
    addrType: 4,
    locator: { ip: "192.0.2.1", port: 10500 },
    spiMin: 0x10000 + 32 * i + (leaseId - 1) * 16,
    spiMax: 0x10000 + 32 * i + (leaseId - 1) * 16 + 15,
    expires,
    firstExpiry: expires,
    host: { ip: "198.51.100.7", port: 30000 + i },
    tunnel: false,
    requestId: 1,
    created: 0,
  };
}

function lease6(i: number, expires: number): Lease {
  return {
    ...lease4(i, expires, 9),
    addrType: 6,
    locator: { ip: "2001:db8::1", port: 40000 + i },
    spiMin: 0,
    spiMax: 0,
  };
}

const bytesOf = (h: string) => Uint8Array.from(h.match(/../g)!.map((x) => Number.parseInt(x, 16)));

test("HIT helpers: hex, byte comparison and numeric key agree", () => {
  const b = bytesOf(hit(0xabcdef));
  assert.equal(hitHex(b), hit(0xabcdef));
  assert.ok(hitEquals(b, 0, hit(0xabcdef)));
  assert.ok(!hitEquals(b, 0, hit(0xabcdee)));
  assert.equal(hitKeyBytes(b, 0), hitKeyHex(hit(0xabcdef)));
  const padded = new Uint8Array(20);
  padded.set(b, 4);
  assert.ok(hitEquals(padded, 4, hit(0xabcdef)));
  assert.equal(hitKeyBytes(padded, 4), hitKeyHex(hit(0xabcdef)));
});

function contract(name: string, open: () => { store: LeaseIndex; done: () => void }) {
  test(`${name}: put/get/delete and lookups by SPI, HIT and locator`, () => {
    const { store, done } = open();
    try {
      const a = lease4(1, 5000);
      const a2 = lease4(1, 6000, 2);
      const b = lease4(2, 7000);
      const c = lease6(3, 8000);
      for (const l of [a, a2, b, c]) store.put(l);
      assert.equal(store.size, 4);
      assert.deepEqual(store.get(hit(1), 1), a);
      assert.equal(store.get(hit(1), 3), undefined);
      assert.equal(store.byHit(hit(1)).length, 2);
      assert.deepEqual(store.byHitBytes(bytesOf(hit(2)), 0), b);
      assert.equal(store.byHitBytes(bytesOf(hit(9)), 0), undefined);
      assert.deepEqual(store.bySpi(a.spiMin), a);
      assert.deepEqual(store.bySpi(a.spiMax), a);
      assert.deepEqual(store.bySpi(a2.spiMin), a2);
      assert.equal(store.bySpi(0x5), undefined);
      assert.deepEqual(store.byLocator({ ip: "2001:db8::1", port: 40003 }), c);
      assert.equal(store.byLocator({ ip: "2001:db8::1", port: 40004 }), undefined);
      assert.deepEqual(store.delete(hit(1), 1), a);
      assert.equal(store.bySpi(a.spiMin), undefined);
      assert.equal(store.size, 3);
      assert.throws(() => store.put({ ...a, spiMin: a.spiMin + 1 }), RangeError);
    } finally {
      done();
    }
  });

  test(`${name}: expiry order, renewals in place, replacement`, () => {
    const { store, done } = open();
    try {
      for (let i = 0; i < 50; i++) store.put(lease4(i, 1000 + ((i * 37) % 50) * 10));
      const renewed = store.get(hit(0), 1)!;
      renewed.expires = 10_000; // extended in place (renewal)
      store.put(renewed);
      store.put({ ...lease4(1, 20_000) }); // replaced by a new object
      assert.ok(store.nextExpiry()! <= 1000);
      // expiries are a permutation of 1000..1490 step 10: 24 are > 1250, plus the renewed one
      assert.equal(store.unexpired(1250).length, 25);
      const gone = store.removeExpired(1250);
      assert.ok(gone.every((l) => l.expires <= 1250));
      assert.equal(gone.length, 25);
      assert.equal(store.size, 25);
      assert.ok(store.get(hit(0), 1));
      assert.ok(store.get(hit(1), 1));
      assert.equal(store.removeExpired(9_999).length, 23);
      assert.deepEqual(store.unexpired(0).map((l) => l.hit).sort(), [hit(0), hit(1)]);
      assert.equal(store.removeExpired(30_000).length, 2);
      assert.equal(store.size, 0);
      assert.equal(store.bySpi(lease4(1, 0).spiMin), undefined);
    } finally {
      done();
    }
  });
}

contract("memory", () => {
  const store = new MemoryLeaseStore();
  return { store, done: () => store.close() };
});

test("sqlite: a reopened file holds what was written (renewals never shorten, releases and expiry stick)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hipmm-fa-"));
  try {
    const path = join(dir, "l.db");
    const s1 = new SqliteLeaseStore(path);
    assert.equal(await s1.create(lease4(1, 5000)), "ok");
    assert.equal(await s1.create(lease6(2, 6000)), "ok");
    assert.equal(await s1.create({ ...lease4(3, 5000), spiMin: lease4(1, 0).spiMin, spiMax: lease4(1, 0).spiMax }), "conflict");
    const l = { ...lease4(1, 9000), host: { ip: "203.0.113.9", port: 1 } };
    assert.equal(await s1.renew(l), 9000);
    assert.equal(await s1.renew({ ...l, expires: 7000 }), 9000, "a renewal never shortens (§4.4.1)");
    s1.close();
    const s2 = new SqliteLeaseStore(path);
    assert.equal(s2.size, 2);
    const loaded = await s2.load(0);
    assert.deepEqual(loaded.find((x) => x.hit === hit(1)), { ...l, firstExpiry: 5000 });
    assert.deepEqual(loaded.find((x) => x.hit === hit(2)), lease6(2, 6000));
    assert.equal(await s2.expire(hit(1), 1, 7000), false, "not yet due");
    assert.equal(await s2.expire(hit(2), 9, 7000), true);
    s2.close();
    const s3 = new SqliteLeaseStore(path);
    assert.equal(s3.size, 1);
    await s3.release(hit(1), 1);
    s3.close();
    const s4 = new SqliteLeaseStore(path);
    assert.equal(s4.size, 0);
    s4.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("sqlite: leases survive the writing process being SIGKILLed", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hipmm-fa-"));
  try {
    const path = join(dir, "crash.db");
    const child = spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, "fixtures/store-writer.ts"), path, "200"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (d: Buffer) => d.toString().includes("ready") && resolve());
      child.on("exit", (c) => reject(new Error(`writer exited ${c}`)));
    });
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    const s = new SqliteLeaseStore(path);
    assert.equal(s.size, 199);
    const live = await s.load(2000);
    assert.equal(live.length, 99);
    assert.equal(live.find((l) => l.hit === hit(0)), undefined);
    assert.equal(live.find((l) => l.spiMin === 0x1000 + 16 * 4)?.hit, hit(4));
    assert.deepEqual(live.find((l) => l.hit === hit(8))?.host, { ip: "127.0.0.2", port: 20008 });
    s.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
