// Responder side of the base exchange (RFC 7401 §4.1, §5.3.2, §6.7 I1 handling, §6.9 I2 handling).
import { createDecipheriv, randomBytes } from "node:crypto";
import { equal, rd16 } from "./bytes.ts";
import { buildAuthenticated } from "./build.ts";
import { macInput, sigInput } from "./auth.ts";
import { PeerId } from "./identity.ts";
import { DhKey, hmac, puzzleOk, RHASH_LEN } from "./kex.ts";
import { hitFromHi } from "./orchid.ts";
import { frame, type Header, P, PT, parseTlvs, type Tlv } from "./packet.ts";
import * as pr from "./params.ts";
import type { Datagram, InteropPeer, Loc } from "./peer.ts";

const find = (tlvs: Tlv[], t: number) => tlvs.find((x) => x.type === t);

export function handleI1(peer: InteropPeer, h: Header, tlvs: Tlv[], from: Loc): Datagram[] {
  const L = "I1";
  peer.expectParams(L, tlvs, [P.DH_GROUP_LIST]);
  peer.check(L, peer.isNull(h.receiverHit) || equal(h.receiverHit, peer.hit), "Receiver's HIT is neither ours nor NULL (§5.3.1)");
  const dhl = find(tlvs, P.DH_GROUP_LIST);
  if (!dhl) return [];
  const iGroups = Array.from(dhl.value);
  // §5.2.6: the Responder picks its most preferred group that the Initiator listed.
  const group = peer.opts.dhGroups.find((g) => iGroups.includes(g));
  if (!peer.check(L, group !== undefined, `no common DH group in [${iGroups}]`) || group === undefined) return [];
  const dh = new DhKey(group);
  const i = new Uint8Array(randomBytes(RHASH_LEN));
  peer.r1State = { i, dh, groups: peer.opts.dhGroups };
  const o = peer.opts;
  const params: Uint8Array[] = [];
  if (o.r1Counter !== undefined) params.push(pr.r1Counter(o.r1Counter));
  params.push(
    pr.puzzle(o.puzzleK, 37, o.puzzleOpaque, i),
    pr.dhGroupList(o.dhGroups),
    pr.diffieHellman(group, dh.pub),
    pr.hipCipher(o.hipCiphers),
    pr.hostId(peer.id.hi),
    pr.hitSuiteList([2]),
    pr.transportFormatList([P.ESP_TRANSFORM]),
    pr.espTransform(o.espSuites),
  );
  const r1 = buildAuthenticated(PT.R1, peer.hit, h.senderHit, params, { sig: { type: P.HIP_SIGNATURE_2, id: peer.id } }, { src: o.locator.ip, dst: from.ip });
  peer.sent.R1 = r1;
  return [{ to: from, data: frame(r1) }];
}

export function handleI2(peer: InteropPeer, pkt: Uint8Array, h: Header, tlvs: Tlv[], from: Loc): Datagram[] {
  const L = "I2";
  const st = peer.r1State;
  if (!peer.check(L, !!st, "I2 without an R1 sent") || !st) return [];
  const o = peer.opts;
  const encrypted = tlvs.some((t) => t.type === P.ENCRYPTED);
  const expected = [P.ESP_INFO, ...(o.r1Counter !== undefined ? [P.R1_COUNTER] : []), P.SOLUTION, P.DIFFIE_HELLMAN, P.HIP_CIPHER, encrypted ? P.ENCRYPTED : P.HOST_ID, P.TRANSPORT_FORMAT_LIST, P.ESP_TRANSFORM, P.HIP_MAC, P.HIP_SIGNATURE];
  peer.expectParams(L, tlvs, expected);
  peer.check(L, equal(h.receiverHit, peer.hit), "Receiver's HIT is not ours (§5.3.3)");
  const get = (t: number) => find(tlvs, t);
  const cnt = get(P.R1_COUNTER);
  if (cnt && o.r1Counter !== undefined) peer.check(L, equal(cnt.value, pr.r1Counter(o.r1Counter).subarray(4, 16)), "R1_COUNTER not an unmodified copy of the R1's (§5.3.3, erratum 6654)");
  const ei = get(P.ESP_INFO);
  const sol = get(P.SOLUTION);
  const dh = get(P.DIFFIE_HELLMAN);
  const ciph = get(P.HIP_CIPHER);
  const enc = get(P.ENCRYPTED);
  const hidP = get(P.HOST_ID);
  const tfl = get(P.TRANSPORT_FORMAT_LIST);
  const est = get(P.ESP_TRANSFORM);
  const mac = get(P.HIP_MAC);
  const sig = get(P.HIP_SIGNATURE);
  if (!ei || !sol || !dh || !ciph || !(enc || hidP) || !tfl || !est || !mac || !sig) return [];
  // SOLUTION (§5.2.5, §6.9 step 6–9).
  const k = sol.value[0];
  peer.check(L, k === o.puzzleK, `SOLUTION #K ${k} ≠ R1 #K ${o.puzzleK} (§5.2.5)`);
  peer.check(L, sol.value[1] === 0, "SOLUTION Reserved not zero (§5.2.5)");
  peer.check(L, rd16(sol.value, 2) === o.puzzleOpaque, `SOLUTION Opaque 0x${rd16(sol.value, 2).toString(16)} is not the R1's 0x${o.puzzleOpaque.toString(16)} (§5.2.5)`);
  peer.check(L, sol.value.length === 4 + 2 * RHASH_LEN, `SOLUTION length ${sol.value.length}, expected ${4 + 2 * RHASH_LEN} (§5.2.5)`);
  const i = sol.value.slice(4, 4 + RHASH_LEN);
  const j = sol.value.slice(4 + RHASH_LEN);
  peer.check(L, equal(i, st.i), "SOLUTION #I is not the R1's #I (§6.9)");
  peer.check(L, puzzleOk(i, h.senderHit, peer.hit, j, k), "SOLUTION #J does not solve the puzzle: the lowest-order #K bits of RHASH(#I | HIT-I | HIT-R | #J) are not zero (§4.1.2, Ltrunc per §2.2)");
  // DIFFIE_HELLMAN (§5.2.7).
  const group = dh.value[0];
  const pub = dh.value.slice(3);
  peer.check(L, group === st.dh.group, `DIFFIE_HELLMAN group ${group} ≠ R1 group ${st.dh.group} (§6.9)`);
  peer.check(L, rd16(dh.value, 1) === pub.length, "DIFFIE_HELLMAN Public Value Length mismatch (§5.2.7)");
  const kij = st.dh.shared(pub);
  if (!peer.check(L, !!kij, "DIFFIE_HELLMAN public value is not x | y on the curve (§5.2.7, RFC 5903 §7)") || !kij) return [];
  // HIP_CIPHER / ESP_TRANSFORM: exactly one choice out of our offer.
  const ciphers = pr.readU16List(ciph.value);
  peer.check(L, ciphers.length === 1 && o.hipCiphers.includes(ciphers[0]), `HIP_CIPHER [${ciphers}] is not one of our offered ciphers [${o.hipCiphers}] (§5.3.3)`);
  const suites = pr.readU16List(est.value, 2);
  peer.check(L, rd16(est.value, 0) === 0, "ESP_TRANSFORM Reserved not zero (RFC 7402 §5.1.2)");
  peer.check(L, suites.length === 1 && o.espSuites.includes(suites[0]), `ESP_TRANSFORM [${suites}] is not one suite out of our offer [${o.espSuites}] (RFC 7402 §5.1.2)`);
  peer.check(L, pr.readU16List(tfl.value).includes(P.ESP_TRANSFORM), "TRANSPORT_FORMAT_LIST lacks 4095 (§5.2.11)");
  const a: NonNullable<InteropPeer["assoc"]> = { peerHit: h.senderHit, peerLoc: from, state: "R2-SENT", i, j, k, cipher: ciphers[0], suite: suites[0], dh: st.dh, inSpi: peer.newSpi() };
  peer.deriveKeys(a, kij, h.senderHit, peer.hit);
  // ENCRYPTED{HOST_ID} (§5.2.18) or HOST_ID.
  let hostIdValue: Uint8Array | undefined = hidP?.value;
  if (enc) hostIdValue = decryptHostId(peer, L, a.cipher!, a.peerEnc!, enc.value);
  if (!hostIdValue) return [];
  const hv = pr.readHostId(hostIdValue);
  if (!peer.check(L, !!hv && hv.algorithm === 7, "HOST_ID malformed or not ECDSA (§5.2.9)") || !hv) return [];
  const pid = PeerId.fromHi(hv.hi);
  if (!peer.check(L, !!pid, "HOST_ID Host Identity is not ECC Curve | x | y (§5.2.9)") || !pid) return [];
  peer.check(L, equal(hitFromHi(hv.hi), h.senderHit), "Sender's HIT is not the ORCHID of the HOST_ID (§3.2, RFC 7343)");
  a.peerId = pid;
  // HIP_MAC (§5.2.12, §6.4.1) with the Initiator's integrity key, then HIP_SIGNATURE (§6.4.2).
  peer.check(L, equal(mac.value, hmac(a.peerMac!, macInput(pkt, mac.offset))), "HIP_MAC does not verify (HMAC-SHA-384 with the Initiator's HIP integrity key over I2 up to HIP_MAC, Header Length adjusted, checksum zero; §6.4.1)");
  peer.check(L, rd16(sig.value, 0) === 7 && sig.value.length === 2 + pid.sigLen, "HIP_SIGNATURE SIG alg/length (§5.2.14)");
  peer.check(L, pid.verify(sigInput(pkt, sig.offset), sig.value.subarray(2)), "HIP_SIGNATURE does not verify (over I2 up to HIP_SIGNATURE incl. HIP_MAC; §6.4.2)");
  // ESP_INFO (RFC 7402 §5.1.1).
  const info = pr.readEspInfo(ei.value);
  peer.check(L, ei.value.length === 12 && info.reserved === 0, "ESP_INFO length/Reserved (RFC 7402 §5.1.1)");
  peer.check(L, info.keymatIndex === a.hipKeysLen, `ESP_INFO KEYMAT Index ${info.keymatIndex}, expected ${a.hipKeysLen} (RFC 7402 §5.1.1/§7)`);
  peer.check(L, info.oldSpi === 0, `ESP_INFO OLD SPI ${info.oldSpi}, expected 0 (RFC 7402 §5.1.1)`);
  peer.check(L, info.newSpi > 255, `ESP_INFO NEW SPI ${info.newSpi} reserved (RFC 4303 §2.1)`);
  a.outSpi = info.newSpi;
  peer.assoc = a;
  peer.installSas(a, a.hipKeysLen!);
  // R2 (§5.3.4): ESP_INFO, HIP_MAC_2 (our HOST_ID appended), HIP_SIGNATURE.
  const r2 = buildAuthenticated(
    PT.R2,
    peer.hit,
    h.senderHit,
    [pr.espInfo(a.hipKeysLen!, 0, a.inSpi)],
    { mac: { type: P.HIP_MAC_2, key: a.myMac!, hostIdTlv: pr.hostId(peer.id.hi) }, sig: { type: P.HIP_SIGNATURE, id: peer.id } },
    { src: o.locator.ip, dst: from.ip },
  );
  peer.sent.R2 = r2;
  return [{ to: from, data: frame(r2) }];
}

function decryptHostId(peer: InteropPeer, L: string, cipher: number, key: Uint8Array, v: Uint8Array): Uint8Array | undefined {
  peer.check(L, v.subarray(0, 4).every((x) => x === 0), "ENCRYPTED Reserved not zero (§5.2.18)");
  let plain: Uint8Array;
  if (cipher === 1) plain = v.slice(4);
  else {
    const iv = v.subarray(4, 20);
    const ct = v.subarray(20);
    if (!peer.check(L, ct.length % 16 === 0 && ct.length > 0, `ENCRYPTED data length ${ct.length} not a multiple of the AES block (§5.2.18)`)) return undefined;
    // §5.2.18: AES uses the PKCS5 padding scheme (RFC 2898 §6.1.1); the cipher suite removes it.
    const d = createDecipheriv(cipher === 2 ? "aes-128-cbc" : "aes-256-cbc", key, iv);
    try {
      plain = new Uint8Array(Buffer.concat([d.update(ct), d.final()]));
    } catch {
      peer.check(L, false, "ENCRYPTED: wrong key or padding is not the PKCS5 scheme n×n (§5.2.18, RFC 2898 §6.1.1)");
      return undefined;
    }
    peer.check(L, plain.length % 8 === 0, "ENCRYPTED plaintext (padding removed) is not 8-aligned TLVs (§5.2.18)");
  }
  const fake = new Uint8Array(40 + plain.length);
  fake.set(plain, 40);
  const inner = parseTlvs(fake, []);
  if (!peer.check(L, inner[0]?.type === P.HOST_ID, `ENCRYPTED does not decrypt to a HOST_ID TLV (got type ${inner[0]?.type}) with the Initiator's HIP encryption key (§5.2.18, §6.5)`)) return undefined;
  return inner[0].value;
}
