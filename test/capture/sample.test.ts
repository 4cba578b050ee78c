// The sample packets are not just well-shaped: signatures verify with the sender's host
// identity and MACs with the association's keys, over the bytes the wire codec's receive
// path hands to verification (PacketView.prefix, RFC 7401 §6.4.1-§6.4.2, PROFILE §2).
import assert from "node:assert/strict";
import { test } from "node:test";
import { hmac } from "@noble/hashes/hmac.js";
import { sha1 } from "@noble/hashes/legacy.js";
import { concat, equalBytes } from "../../src/core/bytes.ts";
import type { HostIdentity } from "../../src/hip/identity.ts";
import { SAMPLE_PACKET_NAMES, samplePackets } from "../../src/sample/packets.ts";
import { SAMPLE_RHASH, sampleWorld } from "../../src/sample/world.ts";
import { emitParam } from "../../src/wire/params/index.ts";
import { PacketView } from "../../src/wire/view.ts";
import { hostIdParam } from "../../src/sample/sign.ts";

const world = sampleWorld();
const packets = samplePackets();

function senderOf(hit: Uint8Array): { id: HostIdentity; mac: Uint8Array } {
  for (const h of [world.initiator, world.responder, world.fa]) {
    if (equalBytes(h.id.hit, hit)) return { id: h.id, mac: h === world.initiator ? world.hipKeysI.localMac : world.hipKeysI.peerMac };
  }
  throw new Error("unknown sender HIT");
}

test("one packet of every type, in order", () => {
  assert.deepEqual(
    packets.map((p) => p.name),
    [...SAMPLE_PACKET_NAMES],
  );
});

test("HIP_SIGNATURE, HIP_MAC and HMAC verify over the receive-side prefix; tampering breaks them", () => {
  let checked = 0;
  for (const p of packets) {
    const v = PacketView.parse(p.bytes, { src: p.src, dst: p.dst });
    assert.ok(v.ok, p.name);
    const view = v.value;
    const s = senderOf(view.header.senderHit);
    for (let i = 0; i < view.count; i++) {
      const par = view.paramAt(i);
      assert.ok(par.ok);
      const q = par.value;
      const prefix = view.prefix(i);
      if (q.kind === "HIP_SIGNATURE") {
        assert.ok(s.id.verify(prefix, q.signature), `${p.name} signature`);
        const t = prefix.slice();
        t[40] ^= 1;
        assert.equal(s.id.verify(t, q.signature), false);
        checked++;
      } else if (q.kind === "HIP_MAC") {
        assert.deepEqual(hmac(SAMPLE_RHASH, s.mac, prefix), q.mac, `${p.name} HIP_MAC`);
        checked++;
      } else if (q.kind === "HMAC") {
        assert.deepEqual(hmac(sha1, s.mac, prefix), q.hmac, `${p.name} HMAC`);
        checked++;
      } else if (q.kind === "HIP_MAC_2") {
        // RFC 7401 §5.2.13: over the packet with the sender's HOST_ID appended before HIP_MAC_2.
        const hostId = emitParam(hostIdParam(s.id));
        const virtual = concat(prefix, hostId);
        virtual[1] = virtual.length / 8 - 1;
        assert.deepEqual(hmac(SAMPLE_RHASH, s.mac, virtual), q.mac, `${p.name} HIP_MAC_2`);
        checked++;
      } else if (q.kind === "HIP_SIGNATURE_2") {
        // RFC 7401 §5.2.15: Receiver's HIT and PUZZLE #I / Opaque zeroed.
        const z = prefix.slice();
        z.fill(0, 24, 40);
        const pz = view.find("PUZZLE");
        const o = view.index.valueOffset(pz);
        z.fill(0, o + 2, o + view.index.length(pz));
        assert.ok(s.id.verify(z, q.signature), `${p.name} HIP_SIGNATURE_2`);
        checked++;
      }
    }
  }
  assert.equal(checked, 19);
});
