// Replay attacks on the base exchange (issue 9 item 4), with real packets between real HipHosts:
// - an I2 captured from an EARLIER association of the same peer, replayed while a newer one is
//   live (ECDSA and Ed25519 responders): dropped, the live association stays where it is;
// - the peer-reboot case (RFC 7401 §4.4.2): an I2 with a fresh puzzle still replaces it;
// - a replayed older R1 to an Initiator: ignored (RFC 7401 §5.2.3 R1_COUNTER);
// - the solved-puzzle memory is per R1 generation and goes with it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRng } from "../../src/core/rng.ts";
import type { Locator } from "../../src/core/types.ts";
import { type CurveName, HostIdentity } from "../../src/hip/identity.ts";
import type { HipHostConfig } from "../../src/hip/types.ts";
import { Net, type Node } from "../hip/net.ts";

const ATTACKER: Locator = { ip: "10.66.0.9", port: 10500 };
const typeOf = (hip: Uint8Array) => hip[2] & 0x7f;

/** A replayed HIP packet as an off-path attacker sends it: checksum zeroed (always accepted). */
function replayed(hip: Uint8Array): Uint8Array {
  const p = hip.slice();
  p[4] = 0;
  p[5] = 0;
  return p;
}

interface World {
  net: Net;
  ini: Node;
  res: Node;
  iniId: HostIdentity;
  /** Every HIP packet delivered, by type. */
  seen: Map<number, Uint8Array[]>;
}

function world(curve: CurveName, seed: number, resCfg: Partial<HipHostConfig> = {}): World {
  const net = new Net();
  const iniId = HostIdentity.generate(new SeededRng(seed), "P-256");
  const resId = HostIdentity.generate(new SeededRng(seed + 1), curve);
  const ini = net.add(seed + 2, "10.0.0.1", {}, iniId);
  const res = net.add(seed + 3, "10.0.0.2", resCfg, resId);
  const seen = new Map<number, Uint8Array[]>();
  net.tamper = (_p, hip) => {
    const l = seen.get(typeOf(hip)) ?? [];
    l.push(hip.slice());
    seen.set(typeOf(hip), l);
    return hip;
  };
  return { net, ini, res, iniId, seen };
}

/** The Initiator host "reboots": a new HipHost with the same identity and no state. */
function reboot(w: World, seed: number): Node {
  w.net.nodes.splice(w.net.nodes.indexOf(w.ini), 1);
  w.ini = w.net.add(seed, "10.0.0.1", {}, w.iniId);
  return w.ini;
}

for (const curve of ["P-256", "Ed25519"] as const) {
  for (const how of ["peer reboot", "close and reconnect"] as const) {
    test(`replayed I2 from an earlier association (${curve} responder, ${how}) does not replace the live one`, () => {
      const w = world(curve, curve === "P-256" ? 10 : 20);
      const { net, res } = w;
      w.ini.host.connect(0, res.loc, res.host.hit, w.ini.loc);
      net.run(2000);
      const first = res.host.association(w.iniId.hit)!;
      assert.equal(w.ini.host.association(res.host.hit)?.state, "ESTABLISHED");
      const oldI2 = w.seen.get(3)![0];
      if (how === "close and reconnect") {
        w.ini.host.close(net.now, res.host.hit);
        net.run(net.now + 20_000);
        assert.equal(res.host.association(w.iniId.hit), undefined);
      } else reboot(w, 77);
      // The second association: same R1 generation (same #I), fresh #J. For "peer reboot" this
      // is RFC 7401 §4.4.2: an I2 with a fresh puzzle replaces the responder's association.
      w.ini.host.connect(net.now, res.loc, res.host.hit, w.ini.loc);
      net.run(net.now + 2000);
      const live = res.host.association(w.iniId.hit)!;
      assert.equal(w.ini.host.association(res.host.hit)?.state, "ESTABLISHED");
      assert.notEqual(live, first, "the fresh I2 built a new association");
      const spi = live.spiIn;
      const r2s = res.host.counters["tx.R2"];
      // The attack: replay the first association's I2 from elsewhere.
      res.host.handleDatagram(net.now, replayed(oldI2), ATTACKER, res.loc);
      assert.equal(res.host.association(w.iniId.hit), live, "the live association stays");
      assert.equal(live.spiIn, spi);
      assert.deepEqual(live.peerLocator, w.ini.loc, "not moved to the replayer's address");
      assert.equal(res.host.counters["tx.R2"], r2s, "no R2 for a replayed I2");
      assert.equal(res.host.counters["drop.replayed_i2"], 1);
      assert.equal(res.host.pollTransmit(), undefined, "nothing sent to the replayer");
    });
  }
}

test("a retransmitted I2 of the live association still gets its R2 again (§6.9 step 4), nothing else", () => {
  const w = world("P-256", 30);
  w.ini.host.connect(0, w.res.loc, w.res.host.hit, w.ini.loc);
  w.net.run(2000);
  const live = w.res.host.association(w.iniId.hit)!;
  w.res.host.handleDatagram(w.net.now, replayed(w.seen.get(3)![0]), w.ini.loc, w.res.loc);
  assert.equal(w.res.host.association(w.iniId.hit), live);
  assert.equal(w.res.host.counters["rx.I2_duplicate"], 1);
});

test("each solved puzzle is accepted once; the memory is per R1 generation and goes with it", () => {
  const w = world("P-256", 40, { r1Lifetime: 1000 });
  w.ini.host.connect(0, w.res.loc, w.res.host.hit, w.ini.loc);
  w.net.run(500);
  const i2 = w.seen.get(3)![0];
  const gen = w.res.host.r1.current(w.net.now);
  assert.equal(gen.solved.size, 1);
  // The same I2 to a host with no association for that HIT any more (the association was
  // removed, e.g. after CLOSE): still refused while its generation is accepted.
  const live = w.res.host.association(w.iniId.hit)!;
  w.res.host.removeAssociation(live);
  w.res.host.handleDatagram(w.net.now, replayed(i2), ATTACKER, w.res.loc);
  assert.equal(w.res.host.association(w.iniId.hit), undefined);
  assert.equal(w.res.host.counters["drop.replayed_i2"], 1);
  // Two lifetimes later the generation is no longer accepted; its memory (and secret) are gone.
  w.res.host.handleDatagram(2500, replayed(i2), ATTACKER, w.res.loc);
  assert.equal(w.res.host.counters["drop.stale_r1_counter"], 1);
  assert.equal(gen.solved.size, 0);
  assert.ok(gen.secret.every((b) => b === 0), "the puzzle secret was zero-filled");
});

test("a replayed older R1 is ignored by the Initiator (RFC 7401 §5.2.3 R1_COUNTER)", () => {
  const w = world("P-256", 50, { r1Lifetime: 1000 });
  const { net, res } = w;
  const connect = () => w.ini.host.connect(net.now, res.loc, res.host.hit, w.ini.loc);
  const close = () => {
    w.ini.host.close(net.now, res.host.hit);
    net.run(net.now + 20_000);
  };
  connect();
  net.run(2000);
  const oldR1 = w.seen.get(2)![0];
  close();
  // A later exchange sees a newer R1 generation.
  connect();
  net.run(net.now + 2000);
  assert.equal(w.ini.host.association(res.host.hit)?.state, "ESTABLISHED");
  close();
  // Third exchange: the attacker answers the I1 first with the old R1.
  connect();
  const i2s = w.ini.host.counters["tx.I2"];
  w.ini.host.handleDatagram(net.now, replayed(oldR1), res.loc, w.ini.loc);
  const a = w.ini.host.association(res.host.hit)!;
  assert.equal(a.state, "I1-SENT", "the old R1 is not answered");
  assert.equal(w.ini.host.counters["tx.I2"], i2s, "no I2 for the old R1");
  assert.equal(w.ini.host.counters["drop.r1_counter_old"], 1);
  net.run(net.now + 2000);
  assert.equal(w.ini.host.association(res.host.hit)?.state, "ESTABLISHED");
  assert.equal(res.host.counters["drop.stale_r1_counter"] ?? 0, 0, "the Responder never saw an I2 for the old R1");
});

test("after a Responder restart with lower R1 counters, a timed-out exchange lets the next one through", () => {
  const w = world("P-256", 60, { r1CounterStart: 100n });
  const { net } = w;
  w.ini.host.connect(0, w.res.loc, w.res.host.hit, w.ini.loc);
  net.run(2000);
  assert.equal(w.ini.host.r1Seen.get(w.res.host.hit), 100n);
  w.ini.host.close(net.now, w.res.host.hit);
  net.run(net.now + 20_000);
  // The Responder restarts with the same identity and counters from 1 again.
  const resId = w.res.host.identity;
  net.nodes.splice(net.nodes.indexOf(w.res), 1);
  w.res = net.add(61, "10.0.0.2", {}, resId);
  w.ini.host.connect(net.now, w.res.loc, w.res.host.hit, w.ini.loc);
  net.run(net.now + 60_000);
  assert.equal(w.ini.host.counters["failed.timeout"], 1, "counter 1 < 100: ignored, the exchange times out");
  w.ini.host.connect(net.now, w.res.loc, w.res.host.hit, w.ini.loc);
  net.run(net.now + 3000);
  assert.equal(w.ini.host.association(w.res.host.hit)?.state, "ESTABLISHED");
});

test("solved-puzzle memory is bounded: a full generation refuses further I2s and is replaced for new I1s", () => {
  const net = new Net();
  const res = net.add(71, "10.0.0.2", { maxSolvedPerGeneration: 1 });
  const i1 = net.add(72, "10.0.0.1");
  const i2 = net.add(73, "10.0.0.3");
  i1.host.connect(0, res.loc, res.host.hit, i1.loc);
  i2.host.connect(0, res.loc, res.host.hit, i2.loc);
  net.run(2000);
  // Both solved a puzzle of generation 1; only one fits its memory.
  assert.equal(res.host.counters["rx.I2"], 1);
  assert.ok((res.host.counters["drop.puzzle_memory_full"] ?? 0) >= 1);
  net.run(60_000);
  const loser = i1.host.association(res.host.hit)?.state === "ESTABLISHED" ? i2 : i1;
  assert.equal(loser.host.counters["failed.timeout"], 1);
  // The next I1 is answered from a new generation.
  loser.host.connect(net.now, res.loc, res.host.hit, loser.loc);
  net.run(net.now + 2000);
  assert.equal(loser.host.association(res.host.hit)?.state, "ESTABLISHED");
  assert.equal(res.host.counters["rx.I2"], 2);
});
