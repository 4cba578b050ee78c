// Peer profiles (src/hip/profile.ts): two hosts that both follow the cutehip profile complete
// the base exchange with cutehip's readings on the wire (R2 signature in HIP_SIGNATURE_2, no
// R1_COUNTER, a one-group DH_GROUP_LIST, 32-byte ICV SAs); a host with the profile and one
// without do not (each deviation is a real difference on the wire). Against cutehip itself:
// test/interop/cutehip.test.ts.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ParamType, PacketType } from "../../src/wire/constants.ts";
import { CUTEHIP_PROFILE } from "../../src/hip/profile.ts";
import { eventsOf, Net } from "./net.ts";

function walk(hip: Uint8Array): number[] {
  const types: number[] = [];
  for (let o = 40; o + 4 <= hip.length; ) {
    const len = (hip[o + 2] << 8) | hip[o + 3];
    types.push((hip[o] << 8) | hip[o + 1]);
    o += (len + 11) & ~7;
  }
  return types;
}

test("cutehip profile on both sides: base exchange with cutehip's wire readings", () => {
  const net = new Net();
  const seen = new Map<number, number[]>();
  net.tamper = (_p, hip) => {
    seen.set(hip[2] & 0x7f, walk(hip));
    return hip;
  };
  const i = net.add(1, "192.0.2.1", { peerProfile: CUTEHIP_PROFILE, puzzleK: 6 });
  const r = net.add(2, "192.0.2.2", { peerProfile: CUTEHIP_PROFILE, puzzleK: 6 });
  i.host.connect(net.now, r.loc, r.host.hit, i.loc);
  net.run(3000);
  assert.equal(i.host.association(r.host.hit)?.state, "ESTABLISHED");
  const r1 = seen.get(PacketType.R1)!;
  assert.ok(!r1.includes(ParamType.R1_COUNTER));
  const i2 = seen.get(PacketType.I2)!;
  assert.ok(i2.includes(ParamType.HOST_ID) && !i2.includes(ParamType.ENCRYPTED) && !i2.includes(ParamType.R1_COUNTER));
  const r2 = seen.get(PacketType.R2)!;
  assert.ok(r2.includes(ParamType.HIP_SIGNATURE_2) && !r2.includes(ParamType.HIP_SIGNATURE));
  const sa = eventsOf(i, "sa-install")[0];
  assert.equal(sa.outbound.icvLen, 32);
  assert.ok(sa.outbound.suite !== 7);
});

test("cutehip profile on one side only: the exchange fails (swapped puzzle / MAC keys differ)", () => {
  for (const [pi, pr] of [
    [CUTEHIP_PROFILE, undefined],
    [undefined, CUTEHIP_PROFILE],
  ] as const) {
    const net = new Net();
    const i = net.add(3, "192.0.2.1", { peerProfile: pi, puzzleK: 6, r1Counter: false, encryptHostId: false });
    const r = net.add(4, "192.0.2.2", { peerProfile: pr, puzzleK: 6, r1Counter: false, encryptHostId: false });
    i.host.connect(net.now, r.loc, r.host.hit, i.loc);
    net.run(3000);
    assert.notEqual(i.host.association(r.host.hit)?.state, "ESTABLISHED");
    assert.ok((r.host.counters["drop.bad_puzzle"] ?? 0) + (r.host.counters["drop.bad_mac"] ?? 0) + (i.host.counters["drop.bad_mac"] ?? 0) > 0, JSON.stringify([i.host.counters, r.host.counters]));
  }
});
