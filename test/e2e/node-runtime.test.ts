import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRng } from "../../src/core/rng.ts";
import type { Locator } from "../../src/core/types.ts";
import { hitToString } from "../../src/hip/hit.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import type { MessageEvent } from "../../src/runtime/host.ts";
import { startNodeHost } from "../../src/runtime/node.ts";

function nextMessage(h: { on: (t: "message", cb: (e: MessageEvent) => void) => unknown }, timeoutMs = 3000): Promise<MessageEvent> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error("no message")), timeoutMs);
    h.on("message", (e) => {
      clearTimeout(t);
      resolve(e);
    });
  });
}

for (const ip of ["127.0.0.1", "::1"]) {
  test(`two node hosts on ${ip}: base exchange and ESP data both ways over real UDP`, async () => {
    const rng = new SeededRng(1);
    const taps: string[] = [];
    const a = await startNodeHost({ identity: HostIdentity.generate(rng), listen: [{ ip, port: 0 }], hip: { puzzleK: 4 }, tap: (dir, _t, d) => taps.push(`${dir}:${d[0] === 0 && d[1] === 0 && d[2] === 0 && d[3] === 0 ? "hip" : "esp"}`) });
    const b = await startNodeHost({ identity: HostIdentity.generate(rng), listen: [`${ip.includes(":") ? `[${ip}]` : ip}:0`], hip: { puzzleK: 4 } });
    try {
      const bLoc: Locator = b.locals[0];
      const upB = new Promise((r) => b.on("established", r));
      const peer = await a.connect(bLoc, b.hit, { timeoutMs: 5000 });
      assert.equal(hitToString(peer), hitToString(b.hit));
      const atB = nextMessage(b);
      assert.equal(a.send(b.hit, 4000, 4001, new TextEncoder().encode("hello over ESP")), "sent");
      const m = await atB;
      await upB; // the responder is established once ESP arrived (RFC 7401 §6.9)
      assert.equal(new TextDecoder().decode(m.data), "hello over ESP");
      assert.equal(hitToString(m.peerHit), hitToString(a.hit));
      assert.deepEqual([m.srcPort, m.dstPort], [4000, 4001]);
      const atA = nextMessage(a);
      assert.equal(b.send(a.hit, 4001, 4000, new TextEncoder().encode("and back")), "sent");
      assert.equal(new TextDecoder().decode((await atA).data), "and back");
      assert.deepEqual(taps.slice(0, 4), ["out:hip", "in:hip", "out:hip", "in:hip"]);
      assert.ok(taps.includes("out:esp") && taps.includes("in:esp"));
      // Connecting again to an established peer resolves at once.
      assert.equal(hitToString(await a.connect(bLoc, b.hit)), hitToString(b.hit));
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
}

test("connect to a silent locator rejects after the retransmissions run out", async () => {
  const a = await startNodeHost({ identity: HostIdentity.generate(new SeededRng(3)), listen: ["127.0.0.1:0"], hip: { retransmit: { initialMs: 20, maxTries: 3, maxMs: 40 } } });
  const silent = await startNodeHost({ identity: HostIdentity.generate(new SeededRng(4)), listen: ["127.0.0.1:0"] });
  const dead = silent.locals[0];
  await silent.close(); // nobody listens there any more
  try {
    await assert.rejects(a.connect(dead, silent.hit, { timeoutMs: 5000 }), /failed: timeout/);
    assert.equal(a.stack.host.counters["tx.I1"], 3);
  } finally {
    await a.close();
  }
});
