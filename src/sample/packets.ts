// One packet of every type hipmm defines, with realistic parameters (RFC 7401 §5.3 for the
// base exchange, draft-nikander-hip-mm-00 §6 / PROFILE §2 for REA, AC, ACR, FAQ, FAA, FAD).
// Keys, DH values, puzzle, signatures and MACs are real (see world.ts / sign.ts). Reused by
// `hipmm sample`, tests and the web demo.
import { ipToBytes } from "../core/addr.ts";
import { FadReason } from "../fa/core/reasons.ts";
import { hipEncrypt } from "../hip/suites.ts";
import { emitPacket, type HipPacket } from "../wire/packet.ts";
import { emitParam, type Param } from "../wire/params/index.ts";
import { DhGroup, EspSuite, HipCipher, HitSuite, NotifyType, PacketType, ParamType } from "../wire/constants.ts";
import { authenticate, hostIdParam, placeholder } from "./sign.ts";
import { DEFAULT_SAMPLE_SEED, SAMPLE_ESP_SUITE, SAMPLE_HIP_CIPHER, type SampleWorld, sampleWorld } from "./world.ts";

/** FAD reason of the sample FAD (src/fa/core/reasons.ts, PROTOCOL.md §9). */
export const SAMPLE_FAD_REASON = FadReason.UNKNOWN_LEASE;

/** One sample packet (`hipmm sample`, tests, docs). */
export interface SamplePacket {
  /** Packet type name: "I1", "R1", … */
  readonly name: string;
  /** The packet as plain values. */
  readonly packet: HipPacket;
  /** Outer addresses the checksum was computed with. */
  readonly src: string;
  /** Outer destination address. */
  readonly dst: string;
  /** Emitted packet with a valid checksum for src → dst. */
  readonly bytes: Uint8Array;
}

/** Names in the order samplePackets returns them. */
export const SAMPLE_PACKET_NAMES = ["I1", "R1", "I2", "R2", "UPDATE", "NOTIFY", "CLOSE", "CLOSE_ACK", "REA", "AC", "ACR", "FAQ", "FAA", "FAD"] as const;

/** One sample of every packet type (deterministic for a seed), in {@link SAMPLE_PACKET_NAMES} order. */
export function samplePackets(seed = DEFAULT_SAMPLE_SEED): SamplePacket[] {
  const w = sampleWorld(seed);
  const I = w.initiator;
  const R = w.responder;
  const F = w.fa;
  const macI = w.hipKeysI.localMac;
  const macR = w.hipKeysI.peerMac;
  const out: SamplePacket[] = [];
  const add = (name: keyof typeof PacketType, from: typeof I, to: typeof I, params: Param[], mac?: Uint8Array, src = from.ip, dst = to.ip) => {
    const pkt = authenticate({ packetType: PacketType[name], controls: 0, senderHit: from.id.hit, receiverHit: to.id.hit, params }, { mac, signer: from.id });
    out.push({ name, packet: pkt, src, dst, bytes: emitPacket(pkt, { src, dst }) });
  };
  const echo = w.rng.fill(new Uint8Array(8));

  // Base exchange (RFC 7401 §5.3.1-§5.3.4).
  add("I1", I, R, [{ kind: "DH_GROUP_LIST", groups: [DhGroup.NIST_P256, DhGroup.NIST_P384] }]);
  add("R1", R, I, [
    { kind: "R1_COUNTER", counter: 1n },
    { kind: "PUZZLE", k: w.puzzle.k, lifetime: 37, opaque: w.puzzle.opaque, randomI: w.puzzle.i },
    { kind: "DH_GROUP_LIST", groups: [DhGroup.NIST_P256, DhGroup.NIST_P384] },
    { kind: "DIFFIE_HELLMAN", groupId: DhGroup.NIST_P256, publicValue: w.dhR.publicValue },
    { kind: "HIP_CIPHER", ciphers: [HipCipher.AES_128_CBC, HipCipher.AES_256_CBC, HipCipher.NULL] },
    hostIdParam(R.id, "responder.example"),
    { kind: "HIT_SUITE_LIST", suites: [HitSuite.ECDSA_SHA384] },
    { kind: "TRANSPORT_FORMAT_LIST", formats: [ParamType.ESP_TRANSFORM] },
    { kind: "ESP_TRANSFORM", suites: [EspSuite.AES_GCM_16, EspSuite.AES_128_CBC_HMAC_SHA256, EspSuite.AES_128_CBC_HMAC_SHA1] },
    placeholder.signature2(R.id),
  ]);
  const encryptedHostId = hipEncrypt(SAMPLE_HIP_CIPHER, w.hipKeysI.localEnc, w.rng, emitParam(hostIdParam(I.id, "initiator.example")));
  add(
    "I2",
    I,
    R,
    [
      { kind: "ESP_INFO", keymatIndex: w.hipKeysI.espIndex, oldSpi: 0, newSpi: w.spiI },
      { kind: "R1_COUNTER", counter: 1n },
      { kind: "SOLUTION", k: w.puzzle.k, opaque: w.puzzle.opaque, randomI: w.puzzle.i, solutionJ: w.puzzle.j },
      { kind: "DIFFIE_HELLMAN", groupId: DhGroup.NIST_P256, publicValue: w.dhI.publicValue },
      { kind: "HIP_CIPHER", ciphers: [SAMPLE_HIP_CIPHER] },
      { kind: "ENCRYPTED", ivAndData: encryptedHostId },
      { kind: "TRANSPORT_FORMAT_LIST", formats: [ParamType.ESP_TRANSFORM] },
      { kind: "ESP_TRANSFORM", suites: [SAMPLE_ESP_SUITE] },
      placeholder.hipMac(),
      placeholder.signature(I.id),
    ],
    macI,
  );
  add("R2", R, I, [{ kind: "ESP_INFO", keymatIndex: w.hipKeysI.espIndex, oldSpi: 0, newSpi: w.spiR }, placeholder.hipMac2(), placeholder.signature(R.id)], macR);

  // UPDATE (RFC 7401 §5.3.5) rekeying with a new SPI (RFC 7402 §6.8), announcing a locator (RFC 8046).
  add(
    "UPDATE",
    I,
    R,
    [
      { kind: "ESP_INFO", keymatIndex: w.espKeysI.next, oldSpi: w.spiI, newSpi: (w.spiI + 1) >>> 0 },
      { kind: "LOCATOR_SET", locators: [{ trafficType: 0, locatorType: 1, preferred: true, lifetime: 3600, locator: spiLocator(w.spiI + 1, I.ip) }] },
      { kind: "SEQ", updateId: 1 },
      placeholder.hipMac(),
      placeholder.signature(I.id),
    ],
    macI,
  );
  add("NOTIFY", R, I, [{ kind: "NOTIFICATION", notifyType: NotifyType.BLOCKED_BY_POLICY, data: new Uint8Array(0) }, placeholder.signature(R.id)]);
  add("CLOSE", I, R, [{ kind: "ECHO_REQUEST_SIGNED", data: echo }, placeholder.hipMac(), placeholder.signature(I.id)], macI);
  add("CLOSE_ACK", R, I, [{ kind: "ECHO_RESPONSE_SIGNED", data: echo }, placeholder.hipMac(), placeholder.signature(R.id)], macR);

  // Readdressing (draft §6.1.1-§6.1.2): the Initiator moved to ip2 and is multi-homed on IPv6.
  add(
    "REA",
    I,
    R,
    [
      reaInfo(w, 1, [
        { lifetime: 3600, ip: I.ip2, port: 10500, preferred: true },
        { lifetime: 3600, ip: "2001:db8:1::77", port: 10500, preferred: false },
      ]),
      reaInfo(w, 2, [{ lifetime: 600, ip: I.ip6, port: 40123, preferred: false }]),
      placeholder.signature(I.id),
      placeholder.hmac(),
    ],
    macI,
    I.ip2,
  );
  add("AC", R, I, [{ kind: "AC_INFO", acId: 0x1001, reaId: 1, rttTimestamp: 0x0000_2710 }, placeholder.hmac()], macR, R.ip, I.ip2);
  add("ACR", I, R, [{ kind: "AC_INFO", acId: 0x1001, reaId: 1, rttTimestamp: 0x0000_2710 }, placeholder.hmac()], macI, I.ip2);

  // Forwarding Agent lease (draft §6.1.3): request, grant (shared IPv4 + SPI range), withdrawal.
  add("FAQ", I, F, [
    { kind: "FA_INFO", requestId: 1, leaseId: 0, leaseDuration: 600, port: 10500, address: { addrType: 0 } },
    { kind: "SOLUTION", k: w.puzzle.k, opaque: w.puzzle.opaque, randomI: w.puzzle.i, solutionJ: w.puzzle.j },
    hostIdParam(I.id, "initiator.example"),
    placeholder.signature(I.id),
  ]);
  const lease = { addrType: 4 as const, minSpi: 0x4000_0000, maxSpi: 0x4000_00ff, ip: F.ip };
  add("FAA", F, I, [{ kind: "FA_INFO", requestId: 1, leaseId: 7, leaseDuration: 600, port: 10500, address: lease }, hostIdParam(F.id, "fa.example"), placeholder.signature(F.id)]);
  add("FAD", F, I, [
    { kind: "FA_INFO", requestId: 1, leaseId: 7, leaseDuration: 0, port: 10500, address: lease },
    hostIdParam(F.id, "fa.example"),
    { kind: "NOTIFICATION", notifyType: SAMPLE_FAD_REASON, data: new Uint8Array(0) },
    placeholder.signature(F.id),
  ]);
  return out;
}

function reaInfo(w: SampleWorld, iface: number, addresses: { lifetime: number; ip: string; port: number; preferred: boolean }[]): Param {
  return { kind: "REA_INFO", interfaceId: iface, currentSpiReverse: w.spiR, currentSpi: w.spiI, newSpi: (w.spiI + 0x10 * iface) >>> 0, keymatIndex: w.espKeysI.next, reaId: 1, addresses };
}

/** LOCATOR_SET type 1 locator: SPI(4) | IPv6 or IPv4-mapped address(16) (RFC 8046 §4). */
function spiLocator(spi: number, ip: string): Uint8Array {
  const b = new Uint8Array(20);
  new DataView(b.buffer).setUint32(0, spi >>> 0);
  b.set(ipToBytes(ip)!, 4);
  return b;
}
