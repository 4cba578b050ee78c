// A host bound to a wildcard (udp("0.0.0.0:0"), the README's example) no longer announces 0.0.0.0
// in its REAs (RFC 4291 §2.5.2: the unspecified address is no destination). Before, the peer sent
// its address checks to 0.0.0.0, which is its own host: the kernel delivered them back to us
// from 127.0.0.1, and the peer dropped our answers (`mobility.acr-wrong-source`).
import assert from "node:assert/strict";
import { test } from "node:test";
import { createHost, createIdentity, udp } from "../../src/entry/node.ts";
import { LocalModel } from "../../src/mobility/model.ts";

test("LocalModel.reaAddresses leaves out wildcard addresses", () => {
  const local = new LocalModel();
  local.setAddresses(0, [{ ip: "0.0.0.0", port: 1 }, { ip: "192.0.2.1", port: 2 }, { ip: "::", port: 3 }, { ip: "2001:db8::1", port: 4 }], 0);
  assert.deepEqual(
    local.reaAddresses(0, 0).map((a) => a.locator.ip),
    ["192.0.2.1", "2001:db8::1"],
  );
});

test("a host on 0.0.0.0 moves (adds 127.0.0.2): the peer checks only real addresses, no drop", { timeout: 30_000 }, async () => {
  const a = await createHost({ identity: createIdentity(), transport: udp("0.0.0.0:0") });
  const b = await createHost({ identity: createIdentity(), transport: udp("127.0.0.1:0") });
  try {
    const toB = await a.connect({ hit: b.hit, locator: b.locators[0] });
    const got: string[] = [];
    b.on("established", (ev) => b.association(ev.peer).on("message", (m) => void got.push(new TextDecoder().decode(m.data))));
    toB.send("before");
    await a.move({ add: ["127.0.0.2:0"] });
    for (let i = 0; i < 100 && (b.stats().mobility?.acrReceived ?? 0) === 0; i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 300));
    toB.send("after");
    for (let i = 0; i < 100 && got.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(got, ["before", "after"]);
    assert.equal(b.stats().mobility?.reaReceived, 1);
    assert.deepEqual(b.stats().drops, {}, "no ACR from an address the REA did not name");
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});
