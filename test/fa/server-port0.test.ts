// FaServer with port 0 ("any") binds first and leases the port it really got: an FAQ sent to
// the bound port is answered with an FAA whose FA_INFO names that same port, never 0/10500.
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { test } from "node:test";
import { SeededRng } from "../../src/core/rng.ts";
import { faConfig } from "../../src/fa/core/config.ts";
import { buildFaq, parseFaPacket } from "../../src/fa/core/messages.ts";
import { FaServer } from "../../src/fa/server/server.ts";
import { MemoryLeaseStore } from "../../src/fa/store/memory.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import { frameHip } from "../../src/wire/framing.ts";

test("FaServer on 127.0.0.1:0 leases the port it actually bound", async () => {
  const rng = new SeededRng(5);
  const fa = await FaServer.start({
    identity: HostIdentity.generate(rng, "P-256"),
    config: faConfig({ control: [{ ip: "127.0.0.1", port: 0 }], shared4: [{ ip: "127.0.0.1", port: 0 }], puzzle: "off" }),
    store: new MemoryLeaseStore(),
  });
  const sock = createSocket("udp4");
  try {
    const [bound] = fa.udp;
    assert.equal(fa.udp.length, 1, "control and shared locator are one socket");
    assert.notEqual(bound.port, 0);
    const host = HostIdentity.generate(rng, "P-256");
    const faq = buildFaq(host, fa.fa.hit, { requestId: 1, leaseId: 0, lifetime: 60, addrType: 4, spis: 16 });
    await new Promise<void>((r) => sock.bind(0, "127.0.0.1", () => r()));
    const reply = new Promise<Uint8Array>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error("no FAA within 5 s")), 5000);
      sock.once("message", (m) => {
        clearTimeout(t);
        resolve(new Uint8Array(m));
      });
    });
    sock.send(frameHip(faq), bound.port, bound.ip);
    const faa = parseFaPacket((await reply).subarray(4));
    assert.ok(faa.ok, "FAA parses");
    const info = faa.value.info;
    assert.ok(info && info.address.addrType === 4, "IPv4 lease");
    assert.equal(info.port === 0 ? 10500 : info.port, bound.port);
  } finally {
    sock.close();
    await fa.close();
  }
});
