// Responder side: I1 → pre-computed R1 (RFC 7401 §6.7), I2 processing and R2 (§6.9,
// RFC 7402 §6.5). The Responder keeps no state until an I2 with a valid puzzle solution.
import type { Locator, Millis } from "../core/types.ts";
import { equalBytes } from "../core/bytes.ts";
import { NotifyType, PacketType } from "../wire/constants.ts";
import { getParam, type HipPacket } from "../wire/packet.ts";
import { emitParam, type HostIdParam, parseParamAt } from "../wire/params/index.ts";
import { readTlv } from "../wire/tlv.ts";
import type { Association } from "./association.ts";
import { authenticate, verifyMac } from "./auth.ts";
import { receivedSignature, signatureInput, withSignature } from "./auth-jobs.ts";
import type { HostCore } from "./core.ts";
import { compareHits, hitSuiteOf, isHit, isNullHit } from "./hit.ts";
import { PeerIdentity, SUPPORTED_HIT_SUITES } from "./identity.ts";
import { deriveHipKeys } from "./initiator.ts";
import { bexMacKeys, espSuitesFor, kijIkm, profileFor, puzzleHits, r2ForProfile, saForProfile } from "./profile.ts";
import { puzzleI, verifySolution } from "./puzzle.ts";
import { ESP_TRANSFORM_TYPE, type R1Generation } from "./r1.ts";
import { puzzleKey } from "./replay.ts";
import { hipDecrypt } from "./suites.ts";

/** I1 (§6.7): answer with an R1 unless we lose the simultaneous-I1 tie-break (§4.4.3 Table 3). */
export function handleI1(core: HostCore, now: Millis, pkt: HipPacket, from: Locator, to: Locator, a: Association | undefined): boolean {
  const own = core.identity.hit;
  const toUs = compareHits(pkt.receiverHit, own) === 0;
  if (!toUs && !(isNullHit(pkt.receiverHit) && core.cfg.allowOpportunistic)) return core.drop("wrong_receiver_hit", pkt, from);
  if (!isHit(pkt.senderHit) || compareHits(pkt.senderHit, own) === 0) return core.drop("bad_sender_hit", pkt, from);
  if (a && a.state === "I1-SENT" && compareHits(own, pkt.senderHit) < 0) return core.drop("simultaneous_i1_lost", pkt, from);
  const groups = getParam(pkt, "DH_GROUP_LIST")?.groups ?? [];
  // Pre-signed and pre-emitted per generation (r1.ts): per I1 only the HIT and puzzle are written.
  core.sendRaw(now, core.r1.r1Bytes(now, pkt.senderHit, groups, profileFor(core.cfg.peerProfile, pkt.senderHit)), from, to);
  core.count("rx.I1");
  return true;
}

/** I2 (§6.9). */
export function handleI2(core: HostCore, now: Millis, pkt: HipPacket, from: Locator, to: Locator, a: Association | undefined, unknownCritical: number | undefined): boolean {
  const own = core.identity.hit;
  if (compareHits(pkt.receiverHit, own) !== 0) return core.drop("wrong_receiver_hit", pkt, from);
  if (!SUPPORTED_HIT_SUITES.includes(hitSuiteOf(pkt.senderHit)) || !isHit(pkt.senderHit)) return core.drop("unsupported_hit_suite", pkt, from);
  const sol = getParam(pkt, "SOLUTION");
  const counter = getParam(pkt, "R1_COUNTER")?.counter;
  // R1_COUNTER is required only when our R1s carry it (HipHostConfig.r1Counter).
  const prof = profileFor(core.cfg.peerProfile, pkt.senderHit);
  if (!sol || (counter === undefined && core.cfg.r1Counter && !prof?.fixedParameterSets)) return core.drop("missing_param", pkt, from);
  // §6.9 step 4: a retransmitted I2 gets the same R2 again.
  const solved = puzzleKey(sol.randomI, sol.solutionJ);
  if (a && (a.state === "R2-SENT" || a.state === "ESTABLISHED") && a.lastR2 && a.puzzleKey === solved) {
    core.count("rx.I2_duplicate");
    a.queueControl(now, a.lastR2, from, to);
    return true;
  }
  // §6.9 step 5: simultaneous exchanges, the larger HIT acts as Responder.
  if (a && a.state === "I2-SENT" && compareHits(own, pkt.senderHit) < 0) return core.drop("simultaneous_i2_lost", pkt, from);
  // §6.9 step 7-8: generation, #I, #K, Opaque and the solution.
  const gen = counter !== undefined ? core.r1.find(now, counter) : core.r1.findByPuzzle(now, pkt.senderHit, sol.randomI);
  if (!gen) return core.drop("stale_r1_counter", pkt, from);
  const rhash = core.r1.rhash;
  const expectedI = puzzleI(rhash, gen.secret, pkt.senderHit, own);
  if (sol.k !== gen.k || sol.opaque !== gen.opaque || !equalBytes(sol.randomI, expectedI)) return core.drop("bad_puzzle", pkt, from);
  if (!verifySolution(rhash, sol.randomI, ...puzzleHits(prof, pkt.senderHit, own), sol.solutionJ, gen.k)) return core.drop("bad_puzzle", pkt, from);
  // Each solved puzzle is accepted once (issue 9 item 4): #I = RHASH(S | HIT-I | HIT-R) is the
  // same for every I1 of this Initiator in one generation and the generation's DH key is reused,
  // so an I2 captured from an earlier association would verify in full and replace the live one.
  if (core.r1.solvedBefore(gen, solved)) return core.drop("replayed_i2", pkt, from);
  // The puzzle is solved, but nothing is authenticated until HIP_MAC verifies: errors before that
  // are dropped without the NOTIFY §6.9.1 suggests — a signed reply to an unauthenticated packet is
  // an amplifier (issue 9; docs/PROTOCOL.md §7.9). `quiet` counts each as `notify.unauthenticated`.
  const quiet = (reason: string): false => {
    core.count("notify.unauthenticated");
    return core.drop(reason, pkt, from);
  };
  if (unknownCritical !== undefined) return quiet("unknown_critical");
  const dhp = getParam(pkt, "DIFFIE_HELLMAN");
  const ciphers = getParam(pkt, "HIP_CIPHER");
  const esp = getParam(pkt, "ESP_TRANSFORM");
  const info = getParam(pkt, "ESP_INFO");
  const tfl = getParam(pkt, "TRANSPORT_FORMAT_LIST");
  if (!dhp || !ciphers || !esp || !info || !tfl) return quiet("missing_param");
  const key = gen.dh.get(dhp.groupId);
  if (!key) return core.drop("unsupported_dh_group", pkt, from); // §6.9 step 10: silently
  if (ciphers.ciphers.length !== 1 || !core.cfg.hipCiphers.includes(ciphers.ciphers[0]))
    return quiet("bad_hip_cipher");
  if (esp.suites.length !== 1 || !espSuitesFor(prof, core.cfg.espSuites).includes(esp.suites[0]) || !tfl.formats.includes(ESP_TRANSFORM_TYPE))
    return quiet("bad_esp_transform");
  if (info.oldSpi !== 0 || info.newSpi === 0) return quiet("bad_esp_info");
  // The Diffie-Hellman and signature work is budgeted; beyond it only today's price passes (§4.1.1).
  if (!core.admitI2(now, from.ip, gen.k)) return core.drop("rate_i2", pkt, from);
  // One I2 per solved puzzle in the crypto pipeline at a time (a retransmission meanwhile waits).
  if (core.r1.pendingSolution(gen, solved, true)) return core.drop("crypto_pending", pkt, from);
  const ok = core.crypto.request(now, { op: "ecdh", own: key, peerPublic: dhp.publicValue }, (now, kij) => {
    if (!i2Keyed(core, now, pkt, from, to, kij, { gen, solved, prof, counter, sol, quiet })) core.r1.pendingSolution(gen, solved, false);
  });
  if (!ok) {
    core.r1.pendingSolution(gen, solved, false);
    return core.drop("crypto_busy", pkt, from);
  }
  return true;
}

interface I2Ctx {
  gen: R1Generation;
  solved: string;
  prof: ReturnType<typeof profileFor>;
  counter: bigint | undefined;
  sol: NonNullable<ReturnType<typeof getParam<"SOLUTION">>>;
  quiet: (reason: string) => false;
}

/** I2 with Kij (§6.9 steps 10-): keys, HOST_ID, HIP_MAC, then the signature as a job. */
function i2Keyed(core: HostCore, now: Millis, pkt: HipPacket, from: Locator, to: Locator, kij: Uint8Array | undefined, c: I2Ctx): boolean {
  const { prof, counter, sol, quiet } = c;
  if (!kij) return core.drop("bad_dh_value", pkt, from);
  const own = core.identity.hit;
  const ciphers = getParam(pkt, "HIP_CIPHER")!;
  const esp = getParam(pkt, "ESP_TRANSFORM")!;
  const dhp = getParam(pkt, "DIFFIE_HELLMAN")!;
  // Keys in a scratch association; it replaces any existing one only when everything verifies.
  const n = core.createScratch(pkt.senderHit, from);
  n.hipCipher = ciphers.ciphers[0];
  n.espSuite = esp.suites[0];
  n.dhGroup = dhp.groupId;
  n.peerDhPublic = dhp.publicValue.slice();
  n.r1Counter = counter;
  n.hitSuite = core.identity.hitSuite;
  n.profile = prof;
  const espIndex = deriveHipKeys(n, kijIkm(prof, kij), pkt.senderHit, own, sol.randomI, sol.solutionJ);
  kij.fill(0);
  // §6.9 step 11: HOST_ID, possibly inside ENCRYPTED.
  let hostId: HostIdParam | undefined = getParam(pkt, "HOST_ID");
  const enc = getParam(pkt, "ENCRYPTED");
  if (!hostId && enc) {
    const plain = hipDecrypt(n.hipCipher, n.encKeyIn, enc.ivAndData);
    const inner = plain ? innerParam(plain) : undefined;
    if (inner?.kind !== "HOST_ID") return core.drop("decrypt_failed", pkt, from);
    hostId = inner;
  }
  if (!hostId) return quiet("missing_param");
  const peer = PeerIdentity.fromHostId(hostId.algorithm, hostId.hostIdentity);
  if (!peer) return quiet("bad_host_id");
  if (compareHits(peer.hit, pkt.senderHit) !== 0) return quiet("hit_mismatch");
  if (!verifyMac(pkt, n.rhash, bexMacKeys(prof, n).in)) return quiet("bad_mac");
  // Authenticated from here (HIP_MAC with the keys of this exchange): errors get a NOTIFY.
  const sig = receivedSignature(pkt, peer);
  const authFailed = (now: Millis) => core.notifyAndDrop(now, core.association(pkt.senderHit), pkt, from, NotifyType.AUTHENTICATION_FAILED, "bad_signature");
  if (!sig) return authFailed(now);
  const ok = core.crypto.request(now, { op: "verify", peer, data: sig.data, signature: sig.signature }, (now, valid) => {
    if (!(valid ? i2Verified(core, now, pkt, from, to, n, peer, espIndex, c) : authFailed(now))) core.r1.pendingSolution(c.gen, c.solved, false);
  });
  if (!ok) return core.drop("crypto_busy", pkt, from);
  return true;
}

/** I2 authenticated (§6.9 steps 12-20): policy, the new association, R2 signed as a job. */
function i2Verified(core: HostCore, now: Millis, pkt: HipPacket, from: Locator, to: Locator, n: Association, peer: PeerIdentity, espIndex: number, c: I2Ctx): boolean {
  const { gen, solved, prof } = c;
  const own = core.identity.hit;
  const info = getParam(pkt, "ESP_INFO")!;
  const a = core.association(pkt.senderHit);
  if (info.keymatIndex < espIndex || n.keymatAlloc.check(info.keymatIndex, n.pairLength() ?? 0) !== undefined)
    return core.notifyAndDrop(now, a, pkt, from, NotifyType.INVALID_SYNTAX, "bad_keymat_index");
  // Local policy (access control by HIT), only after the Initiator proved who it is.
  if (!core.cfg.accept(pkt.senderHit, peer, from)) return core.notifyAndDrop(now, a, pkt, from, NotifyType.BLOCKED_BY_POLICY, "blocked_by_policy");
  // Job mode: the world may have moved on while the jobs ran (association state, room).
  if (a && a.state === "I2-SENT" && compareHits(own, pkt.senderHit) < 0) return core.drop("simultaneous_i2_lost", pkt, from);
  const full = core.crypto.jobs && !a ? core.noRoom() : undefined;
  if (full) return core.drop(full, pkt, from);
  const fresh = core.r1.acceptSolution(gen, solved);
  core.r1.pendingSolution(gen, solved, false);
  if (fresh !== "ok") return core.drop(fresh === "full" ? "puzzle_memory_full" : "replayed_i2", pkt, from);

  // §6.9 steps 19-20: install the new association (dropping an old one), send R2, go to R2-SENT.
  n.peerIdentity = peer;
  n.localLocator = to;
  n.spiOut = info.newSpi;
  const assoc = core.adopt(now, n, a);
  assoc.spiIn = core.allocSpi(assoc);
  const sa = assoc.claimSaPair(info.keymatIndex, assoc.spiIn, assoc.spiOut);
  if (typeof sa === "string") return core.drop(sa, pkt, from); // checked above: not reached
  const ownHostId = emitParam({ kind: "HOST_ID", algorithm: core.identity.algorithm, hostIdentity: core.identity.hostId, diType: 0, domainIdentifier: new Uint8Array(0) });
  const maced = authenticate(
    { packetType: PacketType.R2, controls: 0, senderHit: own, receiverHit: assoc.peerHit, params: [{ kind: "ESP_INFO", keymatIndex: info.keymatIndex, oldSpi: 0, newSpi: assoc.spiIn }] },
    { hash: assoc.rhash, macKey: bexMacKeys(prof, assoc).out, mac2HostIdTlv: ownHostId },
  );
  // Until the R2 is signed the association exists without keys on the wire; a duplicate I2
  // meanwhile is a replay (solution accepted) and the Initiator retransmits.
  const rt = core.cfg.retransmit;
  assoc.initiator = false;
  assoc.retransmit = undefined;
  assoc.deadline = now + exchangeCompleteMs(rt.initialMs, rt.maxTries, rt.maxMs);
  const ok = core.crypto.request(now, { op: "sign", signer: core.identity, data: signatureInput(maced) }, (now, signature) => {
    if (!core.isLive(assoc)) return void core.count("crypto.stale");
    const r2 = r2ForProfile(prof, withSignature(maced, core.identity.algorithm, signature));
    assoc.state = "R2-SENT";
    assoc.lastR2 = core.send(now, r2, from, to);
    core.count("rx.I2");
    core.event({ type: "sa-install", peerHit: assoc.peerHit, inbound: saForProfile(prof, sa.inbound), outbound: saForProfile(prof, sa.outbound) });
  });
  if (!ok) {
    core.removeAssociation(assoc);
    return core.drop("crypto_busy", pkt, from);
  }
  return true;
}
/** EC timer (§4.4.1): the time the Initiator may spend retransmitting I2. */
export function exchangeCompleteMs(initialMs: number, maxTries: number, maxMs: number): number {
  let t = 0;
  let iv = initialMs;
  for (let i = 0; i < maxTries; i++) {
    t += iv;
    iv = Math.min(2 * iv, maxMs);
  }
  return t;
}

/** The first TLV of decrypted ENCRYPTED contents (§5.2.18). */
function innerParam(plain: Uint8Array) {
  const t = readTlv(plain, 0);
  if (t === undefined) return undefined;
  const r = parseParamAt(PacketType.I2, t.type, plain, t.valueOffset, t.length);
  return r.ok ? r.value : undefined;
}
