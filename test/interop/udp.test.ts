// Interop over real UDP sockets on 127.0.0.1: our Node runtime (src/runtime/node.ts) against the
// independent peer on its own node:dgram socket, both roles, ESP data both ways.
import assert from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import { test } from "node:test";
import { HostIdentity } from "../../src/hip/identity.ts";
import type { MessageEvent, RuntimeHost } from "../../src/runtime/host.ts";
import { startNodeHost } from "../../src/runtime/node.ts";
import { hex } from "./peer/bytes.ts";
import { isHipDatagram } from "./peer/packet.ts";
import { InteropPeer, type PeerOptions } from "./peer/peer.ts";
import { cryptoRng } from "../../src/core/rng.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

interface UdpPeer {
  peer: InteropPeer;
  sock: Socket;
  esp: Uint8Array[];
  waitEsp(): Promise<Uint8Array>;
  waitEstablished(): Promise<void>;
}

async function udpPeer(opts: Partial<PeerOptions>): Promise<UdpPeer> {
  const sock = createSocket("udp4");
  await new Promise<void>((r) => sock.bind(0, "127.0.0.1", r));
  const peer = new InteropPeer({ locator: { ip: "127.0.0.1", port: sock.address().port }, expectChecksum: "zero", ...opts });
  const esp: Uint8Array[] = [];
  const waiters: (() => void)[] = [];
  sock.on("message", (msg, rinfo) => {
    const data = new Uint8Array(msg);
    const from = { ip: rinfo.address, port: rinfo.port };
    if (isHipDatagram(data)) for (const r of peer.handle(data, from)) sock.send(r.data, r.to.port, r.to.ip);
    else esp.push(data);
    for (const w of waiters.splice(0)) w();
  });
  const until = (cond: () => boolean, what: string) =>
    new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timeout waiting for ${what}; violations: ${peer.violations.join(" | ")}`)), 5000);
      const poll = () => {
        if (cond()) {
          clearTimeout(t);
          resolve();
        } else waiters.push(poll);
      };
      poll();
    });
  return {
    peer,
    sock,
    esp,
    waitEsp: async () => {
      await until(() => esp.length > 0, "ESP from our host");
      return esp.shift()!;
    },
    waitEstablished: () => until(() => peer.established, "R2"),
  };
}

function nextMessage(h: RuntimeHost): Promise<MessageEvent> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error("our host delivered no message")), 5000);
    h.on("message", (e) => {
      clearTimeout(t);
      resolve(e);
    });
  });
}

async function dataBothWays(host: RuntimeHost, p: UdpPeer) {
  const hostLoc = host.locals[0];
  const atHost = nextMessage(host);
  p.sock.send(p.peer.sendData(7000, 7001, enc("peer → hipmm over UDP")), hostLoc.port, hostLoc.ip);
  const m = await atHost;
  assert.equal(dec(m.data), "peer → hipmm over UDP");
  assert.equal(hex(m.peerHit), hex(p.peer.hit));
  assert.equal(host.send(p.peer.hit, 7001, 7000, enc("hipmm → peer over UDP")), "sent");
  const got = p.peer.receiveData(await p.waitEsp());
  assert.ok(typeof got !== "string", `peer could not open our ESP: ${got}`);
  assert.equal(dec(got.data), "hipmm → peer over UDP");
}

for (const suite of [13, 1]) {
  test(`(c) UDP 127.0.0.1, ESP suite ${suite}: ours = Responder, peer = Initiator`, async () => {
    const host = await startNodeHost({ identity: HostIdentity.generate(cryptoRng), listen: ["127.0.0.1:0"], hip: { puzzleK: 4 } });
    const p = await udpPeer({ espSuites: [suite] });
    try {
      const hostLoc = host.locals[0];
      const i1 = p.peer.i1(hostLoc, host.hit);
      p.sock.send(i1.data, hostLoc.port, hostLoc.ip);
      await p.waitEstablished();
      assert.deepEqual(p.peer.violations, []);
      await dataBothWays(host, p);
      assert.deepEqual(p.peer.violations, []);
    } finally {
      p.sock.close();
      await host.close();
    }
  });

  test(`(c) UDP 127.0.0.1, ESP suite ${suite}: ours = Initiator, peer = Responder`, async (t) => {
    const host = await startNodeHost({ identity: HostIdentity.generate(cryptoRng), listen: ["127.0.0.1:0"] });
    const p = await udpPeer({ espSuites: [suite], r1Counter: 9n, puzzleK: 6 });
    try {
      const peerHit = await host.connect(p.peer.opts.locator, p.peer.hit, { timeoutMs: 5000 });
      assert.equal(hex(peerHit), hex(p.peer.hit));
      assert.deepEqual(p.peer.violations, []);
      await dataBothWays(host, p);
      assert.deepEqual(p.peer.violations, []);
      await t.test("our HIP packets carry a zero checksum over UDP (RFC 5770 §5.1, RFC 9028 §5.1; docs/PROTOCOL.md §2)", () => {
        assert.ok(p.peer.zeroChecksums.includes(1) && p.peer.zeroChecksums.includes(3), `zero-checksum types: ${p.peer.zeroChecksums}`);
      });
    } finally {
      p.sock.close();
      await host.close();
    }
  });
}
