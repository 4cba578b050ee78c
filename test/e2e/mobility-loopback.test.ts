// Real loopback UDP: two Node hosts; A moves 127.0.0.1 → 127.0.0.2 (its address watcher sees the
// change through an injected snapshot), sends REA, B checks the new address (AC/ACR) and the
// association carries data on the new path; nothing goes to the old socket afterwards.
import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRng } from "../../src/core/rng.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import type { MessageEvent, RuntimeHost } from "../../src/runtime/host.ts";
import { AddressWatcher, startMobileNode } from "../../src/runtime/mobility-node.ts";
import { startNodeHost } from "../../src/runtime/node.ts";

function next(h: RuntimeHost, pred: (m: MessageEvent) => boolean, ms = 4000): Promise<MessageEvent> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error("no message")), ms);
    const cb = (m: MessageEvent) => {
      if (!pred(m)) return;
      clearTimeout(t);
      h.off("message", cb);
      resolve(m);
    };
    h.on("message", cb);
  });
}

test("address watcher reports added and removed addresses from its snapshot", async () => {
  let ips = ["10.0.0.1", "fe80::1"];
  const seen: string[] = [];
  const w = new AddressWatcher((a, r) => void seen.push(`+${a.join()} -${r.join()}`), { snapshot: () => ips, filter: (ip) => !ip.startsWith("fe80") });
  assert.deepEqual(await w.poll(), { added: [], removed: [] });
  ips = ["10.0.0.2"];
  assert.deepEqual(await w.poll(), { added: ["10.0.0.2"], removed: ["10.0.0.1"] });
  assert.deepEqual(seen, ["+10.0.0.2 -10.0.0.1"]);
});

test("address watcher: an address the system refuses to bind (DAD, not ours yet) is skipped, retried at the next poll, nothing thrown", { timeout: 20_000 }, async () => {
  const rng = new SeededRng(43);
  // 192.0.2.77 is on no interface here: bind fails with EADDRNOTAVAIL, as a tentative IPv6 one does.
  let ips = ["127.0.0.1"];
  const a = await startMobileNode({ identity: HostIdentity.generate(rng), addresses: ["127.0.0.1"], watch: { snapshot: () => ips } });
  try {
    ips = ["127.0.0.1", "192.0.2.77", "127.0.0.3"];
    assert.deepEqual(await a.watcher.poll(), { added: ["192.0.2.77", "127.0.0.3"], removed: [] }, "the poll resolves (it rejected: an unhandled rejection in the timer)");
    assert.deepEqual(a.host.locals.map((l) => l.ip).sort(), ["127.0.0.1", "127.0.0.3"], "the bindable one is used");
    assert.deepEqual(await a.watcher.poll(), { added: ["192.0.2.77"], removed: [] }, "the refused one is tried again");
    assert.equal(a.watcher.errors, 0);
  } finally {
    await a.close();
  }
});

test("two Node hosts on loopback: A moves 127.0.0.1 → 127.0.0.2, REA/AC/ACR, data continues", { timeout: 20_000 }, async () => {
  const rng = new SeededRng(41);
  let ips = ["127.0.0.1"];
  const a = await startMobileNode({ identity: HostIdentity.generate(rng), addresses: ["127.0.0.1"], hip: { puzzleK: 2 }, watch: { snapshot: () => ips, intervalMs: 20 } });
  const b = await startNodeHost({ identity: HostIdentity.generate(rng), listen: ["127.0.0.1:0"], hip: { puzzleK: 2 } });
  const kinds: string[] = [];
  b.on("event", (e) => {
    if (e.type === "mobility") kinds.push(e.ev.type);
  });
  try {
    await a.host.connect(b.locals[0], b.hit, { timeoutMs: 5000 });
    const enc = new TextEncoder();
    const first = next(b, () => true);
    a.host.send(b.hit, 1, 2, enc.encode("before"));
    assert.equal((await first).from.ip, "127.0.0.1");
    await new Promise((r) => setTimeout(r, 100)); // initial REA exchange
    const oldLoc = a.host.locals[0];
    ips = ["127.0.0.2"]; // the watcher polls every 20 ms
    const viaNew = next(a.host, (m) => m.to?.ip === "127.0.0.2");
    const fromNew = next(b, (m) => m.from.ip === "127.0.0.2");
    const tick = setInterval(() => {
      b.send(a.host.hit, 2, 1, enc.encode("to A"));
      a.host.send(b.hit, 1, 2, enc.encode("to B"));
    }, 10);
    try {
      const [ma, mb] = await Promise.all([viaNew, fromNew]);
      assert.equal(ma.to?.ip, "127.0.0.2");
      assert.equal(mb.from.ip, "127.0.0.2");
    } finally {
      clearInterval(tick);
    }
    assert.deepEqual(a.host.locals.map((l) => l.ip), ["127.0.0.2"]);
    assert.ok(kinds.includes("peer-rea") && kinds.includes("address-verified"), kinds.join());
    const s = b.stack.mobility!.session(a.host.hit)!;
    assert.equal(s.path?.to.ip, "127.0.0.2");
    assert.notEqual(s.path?.to.port, undefined);
    assert.equal(b.stack.host.association(a.host.hit)?.state, "ESTABLISHED");
    assert.ok(oldLoc.ip === "127.0.0.1");
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});
