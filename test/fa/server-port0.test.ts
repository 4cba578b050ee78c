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

test("FaServer's UDP sockets ask for the large receive buffer (recvBufferSize; 0 keeps the kernel's)", async () => {
  const { readFileSync } = await import("node:fs");
  const { DEFAULT_RECV_BUFFER } = await import("../../src/transport/udp-node.ts");
  const rmemMax = Number(readFileSync("/proc/sys/net/core/rmem_max", "utf8"));
  const rmemDefault = Number(readFileSync("/proc/sys/net/core/rmem_default", "utf8"));
  const sizes: number[] = [];
  for (const recvBufferSize of [undefined, 0]) {
    const fa = await FaServer.start({
      identity: HostIdentity.generate(new SeededRng(6), "P-256"),
      config: faConfig({ control: [{ ip: "127.0.0.1", port: 0 }], shared4: [{ ip: "127.0.0.1", port: 0 }], puzzle: "off" }),
      store: new MemoryLeaseStore(),
      recvBufferSize,
    });
    try {
      const [sock] = (fa as unknown as { socks: import("node:dgram").Socket[] }).socks;
      sizes.push(sock.getRecvBufferSize()); // Linux reports twice what was set, the default as is
    } finally {
      await fa.close();
    }
  }
  assert.equal(sizes[1], rmemDefault, "0: the kernel's default");
  if (rmemMax > rmemDefault) assert.equal(sizes[0], 2 * Math.min(DEFAULT_RECV_BUFFER, rmemMax), `default: ${sizes[0]}`);
});
