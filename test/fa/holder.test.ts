// Lease holder liveness (src/fa/core/holder.ts, docs/PROTOCOL.md §9.1): the FA probes a holder it
// forwards to but has not heard from, declares it dead after the unanswered probes, stops
// forwarding to it (drop holder_dead, event, stats), and forwards again once it is heard from.
// A holder that answers (FaClient.answerProbe) keeps receiving. Wire: 16-byte PING/PONG.
import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRng } from "../../src/core/rng.ts";
import { HolderLiveness } from "../../src/fa/core/holder.ts";
import { emitProbe, PROBE_LEN, probeNonce, probeType } from "../../src/fa/core/holder-probe.ts";
import type { Lease } from "../../src/fa/store/lease.ts";
import { TunnelFrameType } from "../../src/wire/tunnel.ts";
import { espPacket, makeFa, Net, TestHost } from "./harness.ts";

const FA4 = { ip: "192.0.2.1", port: 10500 };
const cfg = { control: [FA4], shared4: [FA4], pool6: [], holderSilenceMs: 1000, holderProbeMs: 300, holderProbes: 3, holderQueue: 8 };

test("probe frames: 16 bytes each way, PING and PONG told apart, nonce carried", () => {
  const nonce = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
  const ping = emitProbe(TunnelFrameType.PING, nonce);
  const pong = emitProbe(TunnelFrameType.PONG, nonce);
  assert.equal(ping.length, PROBE_LEN);
  assert.equal(pong.length, PROBE_LEN, "the answer is no larger than the question");
  assert.equal(probeType(ping), TunnelFrameType.PING);
  assert.equal(probeType(pong), TunnelFrameType.PONG);
  assert.equal(probeNonce(ping), probeNonce(pong));
  assert.equal(probeType(espPacket(0xfa, 1, 8)), 0, "an ESP-sized datagram is no probe");
  assert.equal(probeType(ping.subarray(0, 15)), 0);
});

test("a live one-way receiver answers probes and keeps receiving; a vanished one is declared dead, then revives", () => {
  const net = new Net();
  const { fa } = makeFa(net, 1, cfg);
  const live = new TestHost(net, 90, { ip: "198.51.100.90", port: 5000 });
  const gone = new TestHost(net, 91, { ip: "198.51.100.91", port: 5000 });
  const cl = live.lease({ fas: [{ locator: FA4 }], addrType: 4, lifetime: 600 });
  const cg = gone.lease({ fas: [{ locator: FA4 }], addrType: 4, lifetime: 600 });
  net.run();
  const peer = new TestHost(net, 92, { ip: "203.0.113.92", port: 4000 });
  // Both holders only receive (one-way), 100 datagrams/s for 5 s; `gone` vanished at once.
  net.dead.add("198.51.100.91:5000");
  const events: string[] = [];
  for (let i = 0; i < 500; i++) {
    peer.sendRaw(FA4, espPacket(cl.lease!.spiMin, i));
    peer.sendRaw(FA4, espPacket(cg.lease!.spiMin, i));
    net.advance(10);
    for (let e = fa.pollEvent(); e; e = fa.pollEvent()) if (e.type === "holder-dead" || e.type === "holder-alive") events.push(`${e.type} ${e.host.ip}`);
  }
  assert.equal(live.esp.length, 500, "every datagram reached the live holder (it answered each probe)");
  assert.ok(cl.counters.probesAnswered >= 3, `probes answered: ${cl.counters.probesAnswered}`);
  const s = fa.stats();
  assert.deepEqual(events, ["holder-dead 198.51.100.91"]);
  assert.equal(s.holders.died, 1);
  assert.equal(s.holders.dead, 1);
  // Dead after 1 s silence + 3 probes 300 ms apart: of 500 datagrams ~200 were forwarded (some of
  // them past the unanswered bound: holder_unconfirmed), the rest dropped holder_dead.
  assert.ok((s.drops.holder_dead ?? 0) > 250, `holder_dead ${s.drops.holder_dead}`);
  assert.ok((s.drops.holder_unconfirmed ?? 0) > 0, `holder_unconfirmed ${s.drops.holder_unconfirmed}`);
  assert.ok(s.toHost < 500 + 250, `forwarded to hosts: ${s.toHost}`);
  // The holder comes back and renews (its FA-silence timer): forwarding resumes.
  net.dead.delete("198.51.100.91:5000");
  cg.setFrom(net.now, gone.locator);
  (cg as unknown as { request(n: number, id: number, life: number): void }).request(net.now, cg.lease!.leaseId, 600);
  net.run();
  for (let e = fa.pollEvent(); e; e = fa.pollEvent()) if (e.type === "holder-dead" || e.type === "holder-alive") events.push(`${e.type} ${e.host.ip}`);
  assert.deepEqual(events.at(-1), "holder-alive 198.51.100.91");
  const before = gone.esp.length;
  peer.sendRaw(FA4, espPacket(cg.lease!.spiMin, 1000));
  assert.equal(gone.esp.length, before + 1, "forwarded again");
  assert.equal(fa.stats().holders.dead, 0);
  assert.equal(fa.stats().holders.revived, 1);
});

test("a busy one-way holder: while its PONG is on the way, holderQueue datagrams still go to it, whatever came before the probe", () => {
  // 1000 datagrams/s one-way: the silent second before the probe already forwarded 1000. The
  // bound counts from the probe, so a PONG that takes 5 ms loses nothing (it used to lose every
  // datagram until the PONG came: the count started at the last one heard).
  const probes: Uint8Array[] = [];
  const h = new HolderLiveness({ holderSilenceMs: 1000, holderProbeMs: 300, holderProbes: 3, holderQueue: 8 }, new SeededRng(5), (_l, d) => probes.push(d), () => {});
  const lease = { hit: "h", leaseId: 1, host: { ip: "198.51.100.7", port: 5000 } } as unknown as Lease;
  let t = 0;
  for (; t < 1000; t++) assert.equal(h.forward(t, lease), undefined, `t=${t}`);
  assert.equal(probes.length, 0);
  assert.equal(h.forward(t++, lease), undefined, "the datagram that starts the probe goes");
  assert.equal(probes.length, 1);
  for (let i = 0; i < 8; i++) assert.equal(h.forward(t++, lease), undefined, `datagram ${i + 1} after the probe`);
  assert.equal(h.forward(t++, lease), "holder_unconfirmed", "the ninth after the probe is beyond holderQueue");
  // The PONG: forwarding goes on, and the next silent second starts a fresh count.
  assert.ok(h.pong(t, "198.51.100.7", 5000, probeNonce(probes[0])));
  for (let i = 0; i < 1005; i++) assert.equal(h.forward(t++, lease), undefined, `after the PONG: ${i}`);
  assert.equal(probes.length, 2, "silent again for a second: probed again");
  assert.equal(h.counters.died, 0);
});

test("an unmatched PONG (wrong nonce or source) changes nothing and is counted", () => {
  const net = new Net();
  const { fa } = makeFa(net, 1, cfg);
  const h = new TestHost(net, 93, { ip: "198.51.100.93", port: 5000 });
  h.lease({ fas: [{ locator: FA4 }], addrType: 4 });
  net.run();
  net.send({ to: FA4, data: emitProbe(TunnelFrameType.PONG, new Uint8Array(8).fill(9)) }, h.locator);
  assert.equal(fa.stats().drops.probe_unmatched, 1);
  assert.equal(fa.stats().holders.pongs, 0);
});

test("a PONG that comes after other traffic already answered its probe is an answer, not a drop", () => {
  // Seen with `hipmm fa`: an I1 relayed to a holder silent for a second starts a probe; the holder's
  // R1 (a relay frame) comes back before its PONG, and the PONG was counted probe_unmatched.
  const probes: Uint8Array[] = [];
  const h = new HolderLiveness({ holderSilenceMs: 1000, holderProbeMs: 300, holderProbes: 3, holderQueue: 8 }, new SeededRng(6), (_l, d) => probes.push(d), () => {});
  const lease = { hit: "h", leaseId: 1, host: { ip: "198.51.100.7", port: 5000 } } as unknown as Lease;
  assert.equal(h.forward(0, lease), undefined);
  assert.equal(h.forward(1500, lease), undefined);
  assert.equal(probes.length, 1);
  h.heard(1501, lease); // the relay frame
  assert.ok(h.pong(1502, "198.51.100.7", 5000, probeNonce(probes[0])), "the late PONG is matched");
  assert.ok(!h.pong(1503, "198.51.100.8", 5000, probeNonce(probes[0])), "from another source it is not");
  assert.equal(h.counters.pongs, 1);
  // The next probe replaces the nonce: the first one no longer matches.
  assert.equal(h.forward(3000, lease), undefined);
  assert.equal(probes.length, 2);
  assert.ok(!h.pong(3001, "198.51.100.7", 5000, probeNonce(probes[0])), "an old probe's nonce");
  assert.ok(h.pong(3002, "198.51.100.7", 5000, probeNonce(probes[1])));
  // The lease goes: its nonce with it.
  h.forget(lease);
  assert.ok(!h.pong(3003, "198.51.100.7", 5000, probeNonce(probes[1])));
  assert.equal(h.counters.died, 0);
});
