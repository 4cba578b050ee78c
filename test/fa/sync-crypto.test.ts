// FaOptions.syncCrypto (issue 12): the agent verifies FAQ signatures and signs FAA / FAD on a
// synchronous provider (node:crypto, as FaServer runs it; counted here), a host on @noble
// accepts the FAA, and a FAQ whose signature does not verify still gets FAD BAD_SIGNATURE.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { CryptoProvider } from "../../src/core/crypto/provider.ts";
import { SeededRng } from "../../src/core/rng.ts";
import { ForwardingAgent } from "../../src/fa/core/agent.ts";
import { faConfig } from "../../src/fa/core/config.ts";
import { buildFaq, parseFaPacket } from "../../src/fa/core/messages.ts";
import { FadReason } from "../../src/fa/core/reasons.ts";
import { MemoryLeaseStore } from "../../src/fa/store/memory.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import { nodeCryptoProvider } from "../../src/runtime/crypto-node.ts";
import { counted } from "../helpers/counted-crypto.ts";
import { PacketType } from "../../src/wire/constants.ts";
import { frameHip } from "../../src/wire/framing.ts";

function agent(syncCrypto: CryptoProvider) {
  const rng = new SeededRng(5);
  const at = { ip: "192.0.2.1", port: 10500 };
  return new ForwardingAgent({ identity: HostIdentity.generate(rng), config: faConfig({ control: [at], shared4: [at], puzzle: "off" }), store: new MemoryLeaseStore(), rng, syncCrypto });
}

test("FA syncCrypto: FAQ verified and FAA signed on node:crypto; the @noble host accepts the FAA", () => {
  const { p, calls } = counted(nodeCryptoProvider());
  const fa = agent(p);
  const host = HostIdentity.generate(new SeededRng(6));
  fa.handleDatagram(0, 0, "198.51.100.1", 1, frameHip(buildFaq(host, fa.hit, { requestId: 7, leaseId: 0, lifetime: 600, addrType: 4, spis: 0 })));
  const out = fa.pollTransmit();
  assert.ok(out, "an answer");
  const faa = parseFaPacket(out.data.subarray(4), true); // @noble verifies node:crypto's signature
  assert.ok(faa.ok, "FAA verifies");
  assert.equal(faa.value.packetType, PacketType.FAA);
  assert.equal(faa.value.info?.requestId, 7);
  assert.deepEqual(calls, { sign: 1, verify: 1, generateEcdh: 0 });
});

test("FA syncCrypto: a FAQ with a bad signature gets FAD BAD_SIGNATURE, no lease", () => {
  const { p } = counted(nodeCryptoProvider());
  const fa = agent(p);
  const host = HostIdentity.generate(new SeededRng(7));
  const faq = frameHip(buildFaq(host, fa.hit, { requestId: 9, leaseId: 0, lifetime: 600, addrType: 4, spis: 0 }));
  faq[faq.length - 3] ^= 1; // last byte of the P-256 signature (2 bytes of TLV padding follow)
  fa.handleDatagram(0, 0, "198.51.100.1", 1, faq);
  const out = fa.pollTransmit();
  assert.ok(out, "a FAD");
  const fad = parseFaPacket(out.data.subarray(4), true);
  assert.ok(fad.ok);
  assert.equal(fad.value.packetType, PacketType.FAD);
  assert.equal(fad.value.notifyType, FadReason.BAD_SIGNATURE);
  assert.equal(fa.counters.faa, 0);
  assert.equal(fa.counters.fad, 1);
});
