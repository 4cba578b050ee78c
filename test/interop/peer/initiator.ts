// Initiator side of the base exchange (RFC 7401 §4.1, §5.3.1, §6.8 R1 handling, §6.10 R2 handling).
import { createCipheriv, randomBytes } from "node:crypto";
import { concat, equal, rd16 } from "./bytes.ts";
import { buildAuthenticated } from "./build.ts";
import { frame } from "./packet.ts";
import { mac2Input, sig2Input, sigInput } from "./auth.ts";
import { PeerId } from "./identity.ts";
import { DhKey, hmac, solvePuzzle, RHASH_LEN } from "./kex.ts";
import { hitFromHi } from "./orchid.ts";
import { type Header, P, PT, type Tlv, tlv } from "./packet.ts";
import * as pr from "./params.ts";
import type { Datagram, InteropPeer, Loc } from "./peer.ts";

const find = (tlvs: Tlv[], t: number) => tlvs.find((x) => x.type === t);

export function buildI1(peer: InteropPeer, to: Loc, peerHit?: Uint8Array): Datagram {
  const hit = peerHit ?? new Uint8Array(16);
  peer.assoc = { peerHit: hit, peerLoc: to, state: "I1-SENT", inSpi: peer.newSpi(), i1Groups: peer.opts.dhGroups };
  // §5.3.1: I1 = header + DH_GROUP_LIST.
  return peer.emit("I1", PT.I1, hit, [pr.dhGroupList(peer.opts.dhGroups)], to);
}

export function handleR1(peer: InteropPeer, pkt: Uint8Array, h: Header, tlvs: Tlv[], from: Loc): Datagram[] {
  const L = "R1";
  const a = peer.assoc;
  if (!peer.check(L, a?.state === "I1-SENT", "R1 without an I1 sent")) return [];
  if (!a) return [];
  // §5.3.2 (+ RFC 7402 §5.3: ESP_TRANSFORM): R1 = [R1_COUNTER,] PUZZLE, DIFFIE_HELLMAN, HIP_CIPHER,
  // HOST_ID, HIT_SUITE_LIST, DH_GROUP_LIST, TRANSPORT_FORMAT_LIST, HIP_SIGNATURE_2, sent in ascending type order.
  const base = [P.PUZZLE, P.DH_GROUP_LIST, P.DIFFIE_HELLMAN, P.HIP_CIPHER, P.HOST_ID, P.HIT_SUITE_LIST, P.TRANSPORT_FORMAT_LIST, P.ESP_TRANSFORM, P.HIP_SIGNATURE_2];
  const hasCounter = tlvs[0]?.type === P.R1_COUNTER;
  peer.expectParams(L, tlvs, hasCounter ? [P.R1_COUNTER, ...base] : base);
  peer.check(L, equal(h.receiverHit, peer.hit), "Receiver's HIT is not the Initiator's HIT (§5.3.2)");
  if (!peer.isNull(a.peerHit)) peer.check(L, equal(h.senderHit, a.peerHit), "Sender's HIT is not the HIT the I1 was sent to (§6.8)");
  const get = (t: number) => find(tlvs, t);
  const cnt = get(P.R1_COUNTER);
  if (cnt) {
    peer.check(L, cnt.value.length === 12, `R1_COUNTER length ${cnt.value.length}, expected 12 (§5.2.3)`);
    peer.check(L, cnt.value.subarray(0, 4).every((x) => x === 0), "R1_COUNTER Reserved not zero (§5.2.3)");
    a.r1Counter = cnt.value;
  }
  const pz = get(P.PUZZLE);
  const dhl = get(P.DH_GROUP_LIST);
  const dh = get(P.DIFFIE_HELLMAN);
  const ciph = get(P.HIP_CIPHER);
  const hid = get(P.HOST_ID);
  const hsl = get(P.HIT_SUITE_LIST);
  const tfl = get(P.TRANSPORT_FORMAT_LIST);
  const est = get(P.ESP_TRANSFORM);
  const sig = get(P.HIP_SIGNATURE_2);
  if (!pz || !dhl || !dh || !ciph || !hid || !hsl || !tfl || !est || !sig) return [];
  // HOST_ID (§5.2.9) and HIT (§3.2, RFC 7343).
  const hv = pr.readHostId(hid.value);
  if (!peer.check(L, !!hv, "HOST_ID lengths inconsistent (§5.2.9)") || !hv) return [];
  peer.check(L, hv.algorithm === 7, `HOST_ID Algorithm ${hv.algorithm}, expected 7 ECDSA (§5.2.9)`);
  const pid = PeerId.fromHi(hv.hi);
  if (!peer.check(L, !!pid, "HOST_ID Host Identity is not ECC Curve | x | y on a supported curve (§5.2.9)") || !pid) return [];
  peer.check(L, equal(hitFromHi(hv.hi), h.senderHit), "Sender's HIT is not the ORCHID of the HOST_ID (§3.2, RFC 7343)");
  // HIP_SIGNATURE_2 (§5.2.15).
  const sAlg = rd16(sig.value, 0);
  peer.check(L, sAlg === 7, `HIP_SIGNATURE_2 SIG alg ${sAlg}, expected 7 (§5.2.15)`);
  peer.check(L, sig.value.length === 2 + pid.sigLen, `HIP_SIGNATURE_2 length ${sig.value.length}, expected ${2 + pid.sigLen} (r | s)`);
  peer.check(L, pid.verify(sig2Input(pkt, sig.offset, tlvs), sig.value.subarray(2)), "HIP_SIGNATURE_2 does not verify (Receiver's HIT, checksum, PUZZLE Opaque and #I zeroed, Header Length adjusted; §5.2.15)");
  // PUZZLE (§5.2.4): #I is RHASH_len/8 octets.
  const k = pz.value[0];
  const opaque = rd16(pz.value, 2);
  const i = pz.value.slice(4);
  peer.check(L, i.length === RHASH_LEN, `PUZZLE #I is ${i.length} octets, expected RHASH_len/8 = ${RHASH_LEN} (§5.2.4)`);
  peer.check(L, k <= 12, `PUZZLE #K ${k} > 12 (peer limit)`);
  // HIT_SUITE_LIST (§5.2.10): suite IDs in the high nibble.
  peer.check(L, Array.from(hsl.value).includes(0x20), `HIT_SUITE_LIST [${Array.from(hsl.value)}] lacks 0x20 (suite 2 in the high nibble, §5.2.10)`);
  peer.check(L, Array.from(hsl.value).every((x) => (x & 0x0f) === 0), "HIT_SUITE_LIST low nibbles not zero (§5.2.10)");
  peer.check(L, pr.readU16List(tfl.value).includes(P.ESP_TRANSFORM), "TRANSPORT_FORMAT_LIST lacks ESP_TRANSFORM 4095 (§5.2.11, RFC 7402)");
  // DH group negotiation (§6.8 step: the group must be the Responder's first choice among the I1 list).
  const rGroups = Array.from(dhl.value);
  const group = dh.value[0];
  const pubLen = rd16(dh.value, 1);
  const pub = dh.value.slice(3);
  const best = rGroups.find((g) => a.i1Groups!.includes(g));
  peer.check(L, group === best, `DIFFIE_HELLMAN group ${group} is not the first group of the Responder's DH_GROUP_LIST [${rGroups}] that is in the I1 list [${a.i1Groups}] (§6.8, downgrade check)`);
  peer.check(L, pubLen === pub.length, `DIFFIE_HELLMAN Public Value Length ${pubLen} ≠ ${pub.length} (§5.2.7)`);
  if (!peer.check(L, group === 7 || group === 8, `unsupported DH group ${group}`)) return [];
  const myDh = new DhKey(group);
  const kij = myDh.shared(pub);
  if (!peer.check(L, !!kij, `DIFFIE_HELLMAN public value (${pub.length} octets) is not x | y on the curve (§5.2.7, RFC 5903 §7)`) || !kij) return [];
  // HIP_CIPHER (§5.2.8) and ESP_TRANSFORM (RFC 7402 §5.1.2): take the Responder's first choice we support.
  const rCiphers = pr.readU16List(ciph.value);
  const cipher = rCiphers.find((c) => peer.opts.hipCiphers.includes(c));
  if (!peer.check(L, cipher !== undefined, `no common HIP_CIPHER in [${rCiphers}]`)) return [];
  peer.check(L, rd16(est.value, 0) === 0, "ESP_TRANSFORM Reserved not zero (RFC 7402 §5.1.2)");
  const rSuites = pr.readU16List(est.value, 2);
  const suite = rSuites.find((s) => peer.opts.espSuites.includes(s));
  if (!peer.check(L, suite !== undefined, `no common ESP suite in [${rSuites}]`)) return [];
  // Solve the puzzle (§4.1.2) and derive keys (§6.5).
  const j = solvePuzzle(i, peer.hit, h.senderHit, k);
  Object.assign(a, { peerHit: h.senderHit, peerId: pid, peerLoc: from, dh: myDh, i, j, k, cipher, suite });
  peer.deriveKeys(a, kij, peer.hit, h.senderHit);
  // I2 (§5.3.3, RFC 7402 §5.3): ESP_INFO, [R1_COUNTER], SOLUTION, DIFFIE_HELLMAN, HIP_CIPHER,
  // ENCRYPTED{HOST_ID} | HOST_ID, TRANSPORT_FORMAT_LIST, ESP_TRANSFORM, HIP_MAC, HIP_SIGNATURE.
  const params = [pr.espInfo(a.hipKeysLen!, 0, a.inSpi)];
  if (a.r1Counter) params.push(tlv(P.R1_COUNTER, a.r1Counter));
  params.push(pr.solution(k, opaque, i, j), pr.diffieHellman(group, myDh.pub), pr.hipCipher([cipher!]));
  const myHostId = pr.hostId(peer.id.hi);
  params.push(peer.opts.encryptHostId ? encrypted(cipher!, a.myEnc!, myHostId) : myHostId);
  params.push(pr.transportFormatList([P.ESP_TRANSFORM]), pr.espTransform([suite!]));
  const i2 = buildAuthenticated(PT.I2, peer.hit, h.senderHit, params, { mac: { type: P.HIP_MAC, key: a.myMac! }, sig: { type: P.HIP_SIGNATURE, id: peer.id } }, { src: peer.opts.locator.ip, dst: from.ip });
  peer.sent.I2 = i2;
  a.state = "I2-SENT";
  return [{ to: from, data: frame(i2) }];
}

/** §5.2.18 ENCRYPTED: Reserved (4) | IV | encrypted TLVs. AES-CBC: 16-octet IV; NULL: no IV.
 * The 8-aligned TLVs get the cipher's own padding: for AES the PKCS5 scheme (RFC 2898 §6.1.1,
 * n bytes of value n, a whole block when already aligned), which §5.2.18 names explicitly. */
export function encrypted(cipher: number, key: Uint8Array, inner: Uint8Array): Uint8Array {
  if (cipher === 1) return tlv(P.ENCRYPTED, concat(new Uint8Array(4), inner));
  const iv = new Uint8Array(randomBytes(16));
  const c = createCipheriv(cipher === 2 ? "aes-128-cbc" : "aes-256-cbc", key, iv); // PKCS#5/#7 padding
  return tlv(P.ENCRYPTED, concat(new Uint8Array(4), iv, new Uint8Array(c.update(inner)), new Uint8Array(c.final())));
}

export function handleR2(peer: InteropPeer, pkt: Uint8Array, h: Header, tlvs: Tlv[]): void {
  const L = "R2";
  const a = peer.assoc;
  if (!peer.check(L, a?.state === "I2-SENT", "R2 without an I2 sent") || !a) return;
  // §5.3.4 + RFC 7402 §5.3: R2 = ESP_INFO, HIP_MAC_2, HIP_SIGNATURE.
  peer.expectParams(L, tlvs, [P.ESP_INFO, P.HIP_MAC_2, P.HIP_SIGNATURE]);
  peer.check(L, equal(h.senderHit, a.peerHit) && equal(h.receiverHit, peer.hit), "HITs do not match the association (§5.3.4)");
  const ei = find(tlvs, P.ESP_INFO);
  const m2 = find(tlvs, P.HIP_MAC_2);
  const sig = find(tlvs, P.HIP_SIGNATURE);
  if (!ei || !m2 || !sig) return;
  const info = pr.readEspInfo(ei.value);
  peer.check(L, ei.value.length === 12 && info.reserved === 0, "ESP_INFO length/Reserved (RFC 7402 §5.1.1)");
  peer.check(L, info.keymatIndex === a.hipKeysLen, `ESP_INFO KEYMAT Index ${info.keymatIndex}, expected ${a.hipKeysLen} (first octet after the HIP keys, RFC 7402 §5.1.1/§7)`);
  peer.check(L, info.oldSpi === 0, `ESP_INFO OLD SPI ${info.oldSpi}, expected 0 in the base exchange (RFC 7402 §5.1.1)`);
  peer.check(L, info.newSpi > 255, `ESP_INFO NEW SPI ${info.newSpi} is reserved (RFC 4303 §2.1)`);
  const hostIdTlv = pr.hostId(a.peerId!.hi);
  const want = hmac(a.peerMac!, mac2Input(pkt, m2.offset, hostIdTlv));
  peer.check(L, equal(m2.value, want), "HIP_MAC_2 does not verify (HMAC-SHA-384 over R2 up to HIP_MAC_2 + the Responder's HOST_ID appended, Header Length adjusted, checksum zero; §5.2.13, §6.4.1)");
  peer.check(L, rd16(sig.value, 0) === 7 && a.peerId!.verify(sigInput(pkt, sig.offset), sig.value.subarray(2)), "HIP_SIGNATURE does not verify (§5.2.14, §6.4.2)");
  a.outSpi = info.newSpi;
  peer.installSas(a, info.keymatIndex);
}
