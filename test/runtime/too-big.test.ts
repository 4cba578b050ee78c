// A datagram larger than one UDP packet can carry after ESP is refused at once with "too-big" in
// every data plane (before: "sent", then lost at the seal or at the socket with EMSGSIZE, and in
// a Worker that owned the sockets, not even counted). The largest one that fits arrives. Real
// hosts on loopback.
import assert from "node:assert/strict";
import { test } from "node:test";
import { cryptoRng } from "../../src/core/rng.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import type { DataPlaneChoice } from "../../src/runtime/host.ts";
import { startNodeHost } from "../../src/runtime/node.ts";
import { MAX_DATAGRAM, MAX_INNER_PACKET } from "../../src/runtime/stack.ts";

for (const dataPlane of [undefined, "worker", "worker-io"] as (DataPlaneChoice | undefined)[]) {
  test(`data plane ${dataPlane ?? "inline"}: over ${MAX_DATAGRAM} bytes is "too-big", counted, never sent; ${MAX_DATAGRAM} arrives`, async () => {
    const opts = { listen: ["127.0.0.1:0"], hip: { puzzleK: 0 }, dataPlane };
    const a = await startNodeHost({ identity: HostIdentity.generate(cryptoRng), ...opts });
    const b = await startNodeHost({ identity: HostIdentity.generate(cryptoRng), ...opts });
    try {
      await a.connect(b.locals[0], b.hit);
      const got: number[] = [];
      b.on("message", (m) => got.push(m.data.length));
      const sizes = [1000, MAX_DATAGRAM, MAX_DATAGRAM + 1, 65500, 70000];
      const status = sizes.map((n) => a.send(b.hit, 1, 2, new Uint8Array(n).fill(n & 0xff)));
      assert.deepEqual(status, ["sent", "sent", "too-big", "too-big", "too-big"]);
      assert.equal(a.sendInner(b.hit, 58, new Uint8Array(MAX_INNER_PACKET + 1)), "too-big");
      for (let i = 0; i < 100 && got.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 100)); // nothing else comes
      assert.deepEqual(got, [1000, MAX_DATAGRAM]);
      assert.deepEqual(a.stats().drops, { "esp.too-big": 4 });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
}
