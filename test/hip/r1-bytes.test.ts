// R1 pre-emitted per generation (src/hip/r1.ts r1Bytes, issue 12): the bytes sent per I1 are the
// emitted r1For packet exactly — receiver HIT, PUZZLE Opaque / #I filled in — for every group,
// with and without a peer profile, across a generation rotation.
import assert from "node:assert/strict";
import test from "node:test";
import { SeededRng } from "../../src/core/rng.ts";
import { HipHost } from "../../src/hip/host.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import { CUTEHIP_PROFILE } from "../../src/hip/profile.ts";
import { emitPacket } from "../../src/wire/packet.ts";

test("r1Bytes = emitPacket(r1For) per Initiator, group and profile", () => {
  const rng = new SeededRng(12);
  const h = new HipHost({ identity: HostIdentity.generate(rng), rng, dhGroups: [7, 8], puzzleK: 3, puzzleOpaque: 0x1234, r1Lifetime: 1000 });
  const inits = [HostIdentity.generate(rng).hit, HostIdentity.generate(rng).hit];
  for (const now of [0, 10, 1500]) {
    for (const hit of inits) {
      for (const offered of [[7], [8], [8, 7], []]) {
        for (const prof of [undefined, CUTEHIP_PROFILE]) {
          const want = emitPacket(h.r1.r1For(now, hit, offered, prof));
          assert.deepEqual(h.r1.r1Bytes(now, hit, offered, prof), want);
        }
      }
    }
  }
  const a = h.r1.r1Bytes(0, inits[0], [7]);
  const b = h.r1.r1Bytes(0, inits[1], [7]);
  assert.notDeepEqual(a.subarray(24, 40), b.subarray(24, 40), "each copy has its own Receiver's HIT");
});
