// Initiator side of the base exchange: I1 (RFC 7401 §6.6), R1 processing and I2 (§6.8,
// RFC 7402 §6.4), R2 processing (§6.10, RFC 7402 §6.6).
import type { Locator, Millis } from "../core/types.ts";
import { NotifyType, PacketType, ParamType } from "../wire/constants.ts";
import { getParam, type HipPacket } from "../wire/packet.ts";
import { emitParam, type Param } from "../wire/params/index.ts";
import type { Association } from "./association.ts";
import { authenticate, getEcho, getEchos, indexOfType, rawTlv, verifyMac } from "./auth.ts";
import { receivedSignature, signatureInput, withSignature } from "./auth-jobs.ts";
import { dhPublicLength, dhSeedLength, isSupportedDhGroup } from "./dh.ts";
import { compareHits, hitSuiteOf, NULL_HIT } from "./hit.ts";
import { PeerIdentity } from "./identity.ts";
import { Keymat, drawHipKeys } from "./keymat.ts";
import { bexMacKeys, espSuitesFor, kijIkm, profileFor, puzzleHits, saForProfile, verifyR2Signature2 } from "./profile.ts";
import { puzzleLifetimeMs } from "./puzzle.ts";
import { fits, i2LengthBound } from "./size.ts";
import { puzzleKey } from "./replay.ts";
import { ESP_TRANSFORM_TYPE } from "./r1.ts";
import { hipCipherKeyLen, hipEncrypt, selectFirst } from "./suites.ts";
import type { HostCore } from "./core.ts";

/** I1: DH_GROUP_LIST only (§5.3.1). */
export function buildI1(core: HostCore, a: Association): HipPacket {
  return {
    packetType: PacketType.I1,
    controls: 0,
    senderHit: core.identity.hit,
    receiverHit: a.opportunistic ? NULL_HIT : a.peerHit,
    params: [{ kind: "DH_GROUP_LIST", groups: [...core.cfg.dhGroups] }],
  };
}

/** Derive KEYMAT and the HIP keys (§6.5) into `a`; returns the ESP KEYMAT index. Kij is wiped. */
export function deriveHipKeys(a: Association, kij: Uint8Array, hitI: Uint8Array, hitR: Uint8Array, I: Uint8Array, J: Uint8Array): number {
  a.keymat = new Keymat(a.rhash, kij, hitI, hitR, I, J);
  kij.fill(0);
  const k = drawHipKeys(a.keymat, hipCipherKeyLen(a.hipCipher) ?? 0, a.rhash.outputLen, compareHits(a.localHit, a.peerHit) > 0);
  a.encKeyOut = k.localEnc;
  a.encKeyIn = k.peerEnc;
  a.macKeyOut = k.localMac;
  a.macKeyIn = k.peerMac;
  a.keymatAlloc.begin(k.espIndex, a.keymat.maxLength);
  a.keymat.forget(k.espIndex);
  a.puzzleKey = puzzleKey(I, J);
  return k.espIndex;
}

/** R1 in I1-SENT / I2-SENT (§6.8). Returns false after counting a drop. */
export function handleR1(core: HostCore, now: Millis, pkt: HipPacket, from: Locator, to: Locator, a: Association | undefined): boolean {
  if (!a || (a.state !== "I1-SENT" && a.state !== "I2-SENT")) return core.drop("unsolicited_r1", pkt, from);
  if (compareHits(pkt.receiverHit, core.identity.hit) !== 0) return core.drop("wrong_receiver_hit", pkt, from);
  const counter = getParam(pkt, "R1_COUNTER")?.counter;
  // §6.8 step 8: in I2-SENT only a fresher R1 restarts the exchange.
  if (a.state === "I2-SENT" && (counter === undefined || a.r1Counter === undefined || counter <= a.r1Counter)) return core.drop("r1_not_fresher", pkt, from);
  // §5.2.3: an R1 older than one already seen from this Responder is a replay (issue 9 item 4).
  if (core.r1Seen.isOlder(pkt.senderHit, counter)) return core.drop("r1_counter_old", pkt, from);
  const puzzle = getParam(pkt, "PUZZLE");
  const dhp = getParam(pkt, "DIFFIE_HELLMAN");
  const ciphers = getParam(pkt, "HIP_CIPHER");
  const hostId = getParam(pkt, "HOST_ID");
  const suites = getParam(pkt, "HIT_SUITE_LIST");
  const groups = getParam(pkt, "DH_GROUP_LIST");
  const tfl = getParam(pkt, "TRANSPORT_FORMAT_LIST");
  const esp = getParam(pkt, "ESP_TRANSFORM");
  if (!puzzle || !dhp || !ciphers || !hostId || !suites || !groups || !tfl || !esp) return core.drop("missing_param", pkt, from);
  const peer = PeerIdentity.fromHostId(hostId.algorithm, hostId.hostIdentity);
  if (!peer) return core.drop("bad_host_id", pkt, from);
  // §6.8 step 10: the HIT must be the hash of the HI; step 3: and the one we asked for.
  if (compareHits(peer.hit, pkt.senderHit) !== 0) return core.drop("hit_mismatch", pkt, from);
  if (!a.opportunistic && compareHits(pkt.senderHit, a.peerHit) !== 0) return core.drop("hit_mismatch", pkt, from);
  const sig = receivedSignature(pkt, peer, true);
  if (!sig) return core.drop("bad_signature", pkt, from);
  // One crypto job chain per association at a time (crypto-jobs.ts): a second R1 meanwhile waits.
  if (a.cryptoBusy) return core.drop("crypto_pending", pkt, from);
  const state = a.state;
  a.cryptoBusy = true;
  // Continuations run later in job mode: the association must still be the one we started with.
  const stale = () => !core.isLive(a) || a.state !== state;
  const ok = core.crypto.request(now, { op: "verify", peer, data: sig.data, signature: sig.signature }, (now, valid) => {
    if (stale()) return void core.count("crypto.stale");
    if (!valid) {
      a.cryptoBusy = false;
      core.drop("bad_signature", pkt, from);
      return;
    }
    if (!r1Verified(core, now, pkt, from, to, a, peer, counter)) a.cryptoBusy = false;
  });
  if (!ok) {
    a.cryptoBusy = false;
    return core.drop("crypto_busy", pkt, from);
  }
  return true;
}

/** R1 processing after its signature verified (§6.8 steps 6-). False after a drop / failure. */
function r1Verified(core: HostCore, now: Millis, pkt: HipPacket, from: Locator, to: Locator, a: Association, peer: PeerIdentity, counter: bigint | undefined): boolean {
  // A rejoin was started by the peer's packet, not by us: our policy decides now (HipHostConfig.rejoin).
  if (a.rejoin && !core.cfg.accept(pkt.senderHit, peer, from)) return core.fail(now, a, "blocked_by_policy");
  const puzzle = getParam(pkt, "PUZZLE")!;
  const dhp = getParam(pkt, "DIFFIE_HELLMAN")!;
  const ciphers = getParam(pkt, "HIP_CIPHER")!;
  const suites = getParam(pkt, "HIT_SUITE_LIST")!;
  const groups = getParam(pkt, "DH_GROUP_LIST")!;
  const tfl = getParam(pkt, "TRANSPORT_FORMAT_LIST")!;
  const esp = getParam(pkt, "ESP_TRANSFORM")!;
  const prof = profileFor(core.cfg.peerProfile, pkt.senderHit);
  // §6.8 step 6: our HIT suite must be supported by the Responder.
  if (!suites.suites.includes(core.identity.hitSuite)) return core.fail(now, a, "unsupported_hit_suite");
  // §6.8 step 7 / §4.1.7: the Responder's group must be its first choice among ours.
  const expected = selectFirst(groups.groups, core.cfg.dhGroups);
  if (expected === undefined) return core.fail(now, a, "no_dh_proposal");
  if (dhp.groupId !== expected || !isSupportedDhGroup(dhp.groupId)) return core.fail(now, a, "dh_downgrade");
  const cipher = selectFirst(ciphers.ciphers.slice(0, 6), core.cfg.hipCiphers);
  if (cipher === undefined) return core.fail(now, a, "no_hip_cipher");
  const suite = tfl.formats.includes(ESP_TRANSFORM_TYPE) ? selectFirst(esp.suites.slice(0, 6), espSuitesFor(prof, core.cfg.espSuites)) : undefined;
  if (suite === undefined) return core.fail(now, a, "no_esp_suite");
  a.hitSuite = hitSuiteOf(pkt.senderHit); // the Responder's suite decides RHASH (§5.2.10)
  if (puzzle.k > (a.maxPuzzleK ?? core.cfg.maxPuzzleK) || puzzle.randomI.length !== a.rhash.outputLen) return core.fail(now, a, "puzzle_too_hard");
  // The puzzle (§6.8 step 11) as a job: #K is the Responder's choice (up to maxPuzzleK, 2^24
  // hashes: a minute of JavaScript), so a runtime spreads the search over event-loop turns and
  // gives up after the puzzle's Lifetime (§5.2.4; at least 1 s, at most 60 s).
  const [hitI, hitR] = puzzleHits(prof, core.identity.hit, pkt.senderHit);
  const start = core.rng.fill(new Uint8Array(puzzle.randomI.length));
  const budgetMs = Math.min(60_000, Math.max(1000, puzzleLifetimeMs(puzzle.lifetime)));
  const state = a.state;
  const stale = () => !core.isLive(a) || a.state !== state;
  // No I1 retransmissions while we solve (the R1 is in hand): the I2 arms its own.
  const i1Retransmit = a.retransmit;
  a.retransmit = undefined;
  a.solvingK = puzzle.k;
  // The I2 leaves from where the R1 came (§6.8), unless we move meanwhile (HipHost.addressesGone).
  a.localLocator = to;
  const ok = core.crypto.request(now, { op: "puzzle", rhash: a.rhash, randomI: puzzle.randomI, hitI, hitR, k: puzzle.k, start, budgetMs, wanted: () => !stale() }, (now, J) => {
    a.solvingK = undefined;
    if (stale()) return void core.count("crypto.stale");
    if (!J) {
      a.cryptoBusy = false;
      core.fail(now, a, "puzzle_unsolved");
      return;
    }
    // The I1's retransmission goes on from here until the I2 replaces it (as while the other jobs run).
    if (i1Retransmit) a.retransmit = { ...i1Retransmit, nextAt: now + i1Retransmit.interval };
    if (!r1Solved(core, now, pkt, from, a, peer, counter, { prof, cipher, suite, J })) a.cryptoBusy = false;
  });
  if (!ok) {
    a.solvingK = undefined;
    a.retransmit = i1Retransmit;
    return core.drop("crypto_busy", pkt, from);
  }
  return true;
}

/** R1 with the puzzle solved (§6.8 step 12-): our Diffie-Hellman key as a job, then the I2. False after a drop. */
function r1Solved(core: HostCore, now: Millis, pkt: HipPacket, from: Locator, a: Association, peer: PeerIdentity, counter: bigint | undefined, c: Omit<I2Choice, "dh">): boolean {
  const { prof, cipher, suite, J } = c;
  const puzzle = getParam(pkt, "PUZZLE")!;
  const dhp = getParam(pkt, "DIFFIE_HELLMAN")!;
  // The I2 must fit in a HIP packet (§5.1) before anything changes (e.g. an R1 padded with
  // ECHO_REQUEST_UNSIGNED, which the I2 echoes): size first, then emit.
  const ourHostIdLen = emitParam({ kind: "HOST_ID", algorithm: core.identity.algorithm, hostIdentity: core.identity.hostId, diType: 0, domainIdentifier: new Uint8Array(0) }).length;
  const i2Len = i2LengthBound({ r1: pkt, dhPublicLen: dhPublicLength(dhp.groupId), randomILen: puzzle.randomI.length, hostIdTlvLen: ourHostIdLen, encrypt: core.cfg.encryptHostId, macLen: a.rhash.outputLen, sigLen: core.identity.signatureLength });
  // Our DH key (§6.8 step 12): drawn from the Rng here, in the order the synchronous code did.
  const seed = core.rng.fill(new Uint8Array(dhSeedLength(dhp.groupId)));
  const state = a.state;
  const stale = () => !core.isLive(a) || a.state !== state;
  const ok = core.crypto.request(now, { op: "ephemeral-ecdh", group: dhp.groupId, seed, peerPublic: dhp.publicValue }, (now, dh) => {
    seed.fill(0);
    if (stale()) return void core.count("crypto.stale");
    if (!dh) {
      a.cryptoBusy = false;
      core.drop("bad_dh_value", pkt, from);
      return;
    }
    if (!fits(i2Len)) {
      a.cryptoBusy = false;
      dh.kij.fill(0);
      core.drop("reply_too_large", pkt, from);
      return;
    }
    sendI2(core, now, pkt, from, a, peer, counter, { prof, cipher, suite, J, dh });
  });
  if (!ok) return core.drop("crypto_busy", pkt, from);
  return true;
}

interface I2Choice {
  prof: ReturnType<typeof profileFor>;
  cipher: number;
  suite: number;
  J: Uint8Array;
  dh: { publicValue: Uint8Array; kij: Uint8Array };
}

/** Accept the R1: keys (§6.5), the I2 (§6.8 step 13-), signed by a job; then I2-SENT. */
function sendI2(core: HostCore, now: Millis, pkt: HipPacket, from: Locator, a: Association, peer: PeerIdentity, counter: bigint | undefined, c: I2Choice): void {
  const { prof, cipher, suite, J, dh } = c;
  const puzzle = getParam(pkt, "PUZZLE")!;
  const dhp = getParam(pkt, "DIFFIE_HELLMAN")!;
  core.r1Seen.note(pkt.senderHit, counter);
  // Accept: opportunistic associations learn the peer HIT now (§4.1.8).
  if (a.opportunistic) core.rekey(a, pkt.senderHit);
  a.peerIdentity = peer;
  a.profile = prof;
  a.peerHostIdTlv = rawTlv(pkt, indexOfType(pkt, ParamType.HOST_ID));
  a.r1Counter = counter;
  a.hipCipher = cipher;
  a.espSuite = suite;
  a.dhGroup = dhp.groupId;
  a.peerDhPublic = dhp.publicValue.slice();
  a.initiator = true;
  if (a.spiIn === 0) a.spiIn = core.allocSpi(a);
  const espIndex = deriveHipKeys(a, kijIkm(prof, dh.kij), core.identity.hit, a.peerHit, puzzle.randomI, J);
  dh.kij.fill(0);

  const params: Param[] = [{ kind: "ESP_INFO", keymatIndex: espIndex, oldSpi: 0, newSpi: a.spiIn }];
  if (counter !== undefined && !prof?.fixedParameterSets) params.push({ kind: "R1_COUNTER", counter });
  params.push({ kind: "SOLUTION", k: puzzle.k, opaque: puzzle.opaque, randomI: puzzle.randomI, solutionJ: J });
  params.push({ kind: "DIFFIE_HELLMAN", groupId: dhp.groupId, publicValue: dh.publicValue });
  params.push({ kind: "HIP_CIPHER", ciphers: [cipher] });
  const ourHostId: Param = { kind: "HOST_ID", algorithm: core.identity.algorithm, hostIdentity: core.identity.hostId, diType: 0, domainIdentifier: new Uint8Array(0) };
  if (core.cfg.encryptHostId && !prof?.fixedParameterSets) params.push({ kind: "ENCRYPTED", ivAndData: hipEncrypt(cipher, a.encKeyOut, core.rng, emitParam(ourHostId)) });
  else params.push(ourHostId);
  const echo = getEcho(pkt, "ECHO_REQUEST_SIGNED");
  if (echo) params.push({ kind: "ECHO_RESPONSE_SIGNED", data: echo.data });
  params.push({ kind: "TRANSPORT_FORMAT_LIST", formats: [ESP_TRANSFORM_TYPE] }, { kind: "ESP_TRANSFORM", suites: [suite] });
  const maced = authenticate({ packetType: PacketType.I2, controls: 0, senderHit: core.identity.hit, receiverHit: a.peerHit, params }, { hash: a.rhash, macKey: bexMacKeys(prof, a).out });
  const state = a.state;
  const ok = core.crypto.request(now, { op: "sign", signer: core.identity, data: signatureInput(maced) }, (now, signature) => {
    a.cryptoBusy = false;
    if (!core.isLive(a) || a.state !== state) return void core.count("crypto.stale");
    const i2 = withSignature(maced, core.identity.algorithm, signature);
    for (const u of getEchos(pkt, "ECHO_REQUEST_UNSIGNED")) i2.params.push({ kind: "ECHO_RESPONSE_UNSIGNED", data: u.data });
    a.state = "I2-SENT";
    a.peerLocator = from;
    core.sendReliable(now, a, i2);
    core.count("rx.R1");
  });
  if (!ok) {
    a.cryptoBusy = false;
    core.drop("crypto_busy", pkt, from);
  }
}

/** R2 in I2-SENT (§6.10): HIP_MAC_2, signature, ESP_INFO → ESTABLISHED. */
export function handleR2(core: HostCore, now: Millis, pkt: HipPacket, from: Locator, a: Association | undefined): boolean {
  if (a?.state !== "I2-SENT") return core.drop("unsolicited_r2", pkt, from);
  const info = getParam(pkt, "ESP_INFO");
  if (!info) return core.drop("missing_param", pkt, from);
  if (!verifyMac(pkt, a.rhash, bexMacKeys(a.profile, a).in, a.peerHostIdTlv)) return core.drop("bad_mac", pkt, from);
  const peer = a.peerIdentity;
  if (!peer) return core.drop("bad_signature", pkt, from);
  const sig = receivedSignature(pkt, peer);
  if (!sig) return verifyR2Signature2(a.profile, pkt, peer) ? r2Verified(core, now, pkt, from, a) : core.drop("bad_signature", pkt, from);
  if (a.cryptoBusy) return core.drop("crypto_pending", pkt, from);
  a.cryptoBusy = true;
  const ok = core.crypto.request(now, { op: "verify", peer, data: sig.data, signature: sig.signature }, (now, valid) => {
    a.cryptoBusy = false;
    if (!core.isLive(a) || a.state !== "I2-SENT") return void core.count("crypto.stale");
    if (valid || verifyR2Signature2(a.profile, pkt, peer)) r2Verified(core, now, pkt, from, a);
    else core.drop("bad_signature", pkt, from);
  });
  if (!ok) {
    a.cryptoBusy = false;
    return core.drop("crypto_busy", pkt, from);
  }
  return true;
}

/** R2 after its signature verified: ESP_INFO → ESTABLISHED (§6.10). */
function r2Verified(core: HostCore, now: Millis, pkt: HipPacket, from: Locator, a: Association): boolean {
  const info = getParam(pkt, "ESP_INFO")!;
  if (info.newSpi === 0 || info.oldSpi !== 0) return core.notifyAndDrop(now, a, pkt, from, NotifyType.INVALID_SYNTAX, "bad_esp_info");
  const sa = a.claimSaPair(info.keymatIndex, a.spiIn, info.newSpi);
  if (typeof sa === "string") return core.notifyAndDrop(now, a, pkt, from, NotifyType.INVALID_SYNTAX, "bad_keymat_index");
  a.spiOut = info.newSpi;
  a.retransmit = undefined;
  a.ownDh?.secret.fill(0); // issue 9 item 8: the DH private key is not needed any more
  a.ownDh = undefined;
  a.peerLocator = from;
  a.state = "ESTABLISHED";
  core.count("rx.R2");
  core.event({ type: "sa-install", peerHit: a.peerHit, inbound: saForProfile(a.profile, sa.inbound), outbound: saForProfile(a.profile, sa.outbound) });
  core.event({ type: "established", peerHit: a.peerHit, localHit: a.localHit, peer: a.peerLocator, local: a.localLocator, initiator: true });
  return true;
}
