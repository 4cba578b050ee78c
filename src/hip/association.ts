// One HIP association (RFC 7401 §4.4, §6): state, peer identity, locators, keys and SPIs.
// This is what the mobility and FA layers work with (see host.ts for the contract).
import { sha384 } from "../core/crypto/sym.ts";
import type { Locator, Millis } from "../core/types.ts";
import { computeMac, macEquals, type Signer } from "./auth.ts";
import { rhashOf } from "./keymat.ts";
import type { PeerProfile } from "./profile.ts";
import type { CHash } from "@noble/hashes/utils.js";
import type { InlineCrypto } from "./crypto-jobs.ts";
import type { DhKeyPair } from "./dh.ts";
import { compareHits } from "./hit.ts";
import type { HostIdentity, PeerIdentity } from "./identity.ts";
import { drawEspKeys, type Keymat } from "./keymat.ts";
import { KeymatAllocator, type KeymatRefusal } from "./keymat-alloc.ts";
import type { EspSuite, SaParams } from "./sa.ts";
import { espSuiteKeys } from "./suites.ts";
import type { HipEvent, HipState } from "./types.ts";

/** One SA pair drawn from KEYMAT at `index`; `next` is the index after it. */
export interface SaPair {
  index: number;
  inbound: SaParams;
  outbound: SaParams;
  next: number;
}

/** A new KEYMAT (a Diffie-Hellman in UPDATE) and the SA pair drawn at its index 0. */
export interface KeymatPair {
  /** The new KEYMAT, not the association's until the rekey completes (Association.adoptKeymat). */
  keymat: Keymat;
  /** The SA pair at its index 0. */
  pair: SaPair;
}

/** What the host lends an association so it can send packets and raise events. */
export interface AssociationHost {
  /** Queue a framed HIP packet to `to` from `from`. */
  queueRaw(now: Millis, packet: Uint8Array, to: Locator, from: Locator | undefined): void;
  /** Raise a HIP event. */
  pushEvent(ev: HipEvent): void;
  /** Signs and verifies at once: the host's synchronous provider, else `@noble` (crypto-jobs.ts). */
  readonly crypto: InlineCrypto;
  /** A timer of this association (state, `retransmit`, `deadline`) was set: the host's cached
   * earliest deadline must be recomputed (HipHost.pollTimeout). */
  timersMoved(): void;
  /** `a`'s HIP state changed (the table keeps its half-open set by it, association-table.ts). */
  stateChanged(a: Association): void;
}

/** Pending retransmission of the packet that drives the current state (I1, I2 or CLOSE). */
export interface Retransmit {
  /** The packet as sent (re-sent as is). */
  packet: Uint8Array;
  /** Transmissions so far. */
  tries: number;
  /** Current timeout (ms; doubles after each try). */
  interval: Millis;
  /** When the next retransmission is due (ms). */
  nextAt: Millis;
}

/** One HIP association with a peer (RFC 7401 §4.4): state, keys, SPIs, locators and timers. */
export class Association {
  // state, retransmit and deadline decide the association's timers (HipHost.pollTimeout caches
  // the earliest over all associations): setting one tells the host. The activity stamps
  // (lastRxAt, lastTxAt) only move the UAL deadline later, so they need not (the cached value
  // is then an early bound: a wake-up finds nothing due and the next poll recomputes).
  private st: HipState = "UNASSOCIATED";
  private rt: Retransmit | undefined;
  private dl: Millis | undefined;
  /** HIP state (RFC 7401 §4.4.2). */
  get state(): HipState {
    return this.st;
  }
  /** Sets the state (and tells the host: cached deadline, half-open set). */
  set state(v: HipState) {
    this.st = v;
    this.host.timersMoved();
    this.host.stateChanged(this);
  }
  /** Pending retransmission of I1, I2 or CLOSE (its `nextAt` is moved only by HipHost's timeout). */
  get retransmit(): Retransmit | undefined {
    return this.rt;
  }
  /** Sets or clears the pending retransmission (the host's cached deadline goes stale). */
  set retransmit(v: Retransmit | undefined) {
    this.rt = v;
    this.host.timersMoved();
  }
  /** R2-SENT → ESTABLISHED (Exchange Complete), CLOSED → gone. */
  get deadline(): Millis | undefined {
    return this.dl;
  }
  /** Sets or clears the deadline (the host's cached deadline goes stale). */
  set deadline(v: Millis | undefined) {
    this.dl = v;
    this.host.timersMoved();
  }
  /** Peer's Host Identity once known (from R1 or I2). */
  peerIdentity: PeerIdentity | undefined;
  /** Current peer and local locators (mobility may change them). */
  peerLocator: Locator;
  /** Our locator the association uses (undefined: any). */
  localLocator: Locator | undefined;
  /** True if we sent the I1 of the exchange that built the current keys. */
  initiator = false;
  /** SPIs: inbound is chosen by us, outbound by the peer (RFC 7402 §3.3.4). */
  spiIn = 0;
  /** Outbound SPI (chosen by the peer). */
  spiOut = 0;
  /** Negotiated ESP suite (`EspSuite`). */
  espSuite = 0;
  /** Negotiated HIP cipher (`HipCipher`). */
  hipCipher = 0;
  /** Negotiated DH group (`DhGroup`). */
  dhGroup = 0;
  /** The peer's current DH public value (base exchange, then the last UPDATE that carried one):
   * RFC 7402 §6.10 step 1 "the old existing key" when only our side brings a new one. */
  peerDhPublic: Uint8Array | undefined;
  /** Peer profile (src/hip/profile.ts) of this peer, if the configuration names one. */
  profile: PeerProfile | undefined;
  /** HIT suite of the Responder (decides RHASH, §2.3). */
  hitSuite = 2;
  /** KEYMAT of the association (RFC 7401 §6.5), once keyed. */
  keymat: Keymat | undefined;
  /** HIP-gl / HIP-lg keys as seen from us: outbound (ours) and inbound (the peer's). */
  macKeyOut: Uint8Array = new Uint8Array(0);
  /** The peer's HIP-gl / HIP-lg MAC key. */
  macKeyIn: Uint8Array = new Uint8Array(0);
  /** Our HIP encryption key (ENCRYPTED in I2 / UPDATE). */
  encKeyOut: Uint8Array = new Uint8Array(0);
  /** The peer's HIP encryption key. */
  encKeyIn: Uint8Array = new Uint8Array(0);
  /** The one KEYMAT allocator of the association: every SA pair is drawn through it (keymat-alloc.ts). */
  readonly keymatAlloc = new KeymatAllocator();
  /** Fingerprint of the exchange's (#I, #J) (a retransmitted I2, §6.9 step 4); the values are not kept. */
  puzzleKey: string | undefined;
  /** R1_COUNTER of the R1 this exchange answered (Initiator), if present. */
  r1Counter: bigint | undefined;
  /** Initiator: our DH key and the Responder's HOST_ID TLV exactly as in R1 (for HIP_MAC_2). */
  ownDh: DhKeyPair | undefined;
  /** The Responder's HOST_ID TLV (for HIP_MAC_2). */
  peerHostIdTlv: Uint8Array | undefined;
  /** A crypto job of this association's handshake is outstanding (crypto-jobs.ts): further
   * R1s / R2s wait for it (dropped as `crypto_pending`; the peer retransmits). */
  cryptoBusy = false;
  /** Initiator: the #K of the R1 puzzle being solved now (a crypto job), else undefined. */
  solvingK: number | undefined;
  /** Whether the I1 went out with a NULL receiver HIT. */
  opportunistic = false;
  /** Started by a packet of a peer that kept its association with us (HipHostConfig.rejoin): `accept` decides at R1. */
  rejoin = false;
  /** Largest puzzle #K this exchange solves (a rejoin: limits.rejoinMaxPuzzleK); default cfg.maxPuzzleK. */
  maxPuzzleK: number | undefined;
  /** Responder: the R2 we sent (re-sent on a duplicate I2, §6.9 step 4). */
  lastR2: Uint8Array | undefined;
  /** CLOSE nonce (ECHO_REQUEST_SIGNED, §5.3.7). */
  closeNonce: Uint8Array | undefined;
  /** Last inbound ESP packet accepted on this association (ms). */
  lastEspAt: Millis | undefined;
  /** Last authenticated inbound packet (ESP or HIP), or creation: the UAL idle clock (limits.ts). */
  lastRxAt: Millis | undefined;
  /** Last ESP packet we sent on it (HipHost.noteEspSent): our own use keeps it out of UAL too. */
  lastTxAt: Millis | undefined;
  /** The first ESP packet we sent since the last authenticated one from the peer (heartbeat). */
  unansweredSince: Millis | undefined;
  /** Last HIP control packet we sent on it (ms). */
  lastControlAt: Millis | undefined;
  /** Last CLOSE_ACK we sent (duplicate CLOSE in CLOSED). */
  lastCloseAck: Uint8Array | undefined;

  constructor(
    private readonly host: AssociationHost,
    /** Our host identity. */
    readonly local: HostIdentity,
    /** The peer's HIT (16 bytes; NULL until an opportunistic R1 names the peer). */
    public peerHit: Uint8Array,
    peerLocator: Locator,
  ) {
    this.peerLocator = peerLocator;
  }

  /** Our HIT. */
  get localHit(): Uint8Array {
    return this.local.hit;
  }

  /** RHASH of the association: the hash of the Responder's HIT suite (§5.2.10; suite 1:
   * SHA-256, 2: SHA-384; others SHA-384). */
  get rhash(): CHash {
    return rhashOf(this.hitSuite) ?? sha384;
  }

  /** HMAC-RHASH with our outbound HIP integrity key (HIP_MAC of packets we send). */
  hmacOut(data: Uint8Array): Uint8Array {
    return computeMac(this.rhash, this.macKeyOut, data);
  }

  /** Check an HMAC-RHASH made with the peer's integrity key. */
  verifyHmacIn(data: Uint8Array, mac: Uint8Array): boolean {
    return macEquals(this.rhash, this.macKeyIn, data, mac);
  }

  /** Sign with the local Host Identity (the host's synchronous provider, else `@noble`). */
  sign(data: Uint8Array): Uint8Array {
    return this.host.crypto.signNow(this.local, data);
  }

  /** `sign` as an auth.ts Signer (HIP_SIGNATURE of CLOSE, UPDATE, …). */
  get signer(): Signer {
    this.#signer ??= this.host.crypto.signerFor(this.local);
    return this.#signer;
  }
  #signer: Signer | undefined;

  /** Verify with the peer's Host Identity; false when it is not known yet. */
  verifyPeer(data: Uint8Array, signature: Uint8Array): boolean {
    const peer = this.peerIdentity;
    return peer !== undefined && this.host.crypto.verifyNow(peer, data, signature);
  }

  /** Next unused KEYMAT byte (RFC 7402 §6.8 step 2): the allocator's high-water mark (read-only). */
  get keymatIndex(): number {
    return this.keymatAlloc.drawn;
  }

  /** KEYMAT bytes one SA pair of `suite` takes (RFC 7402 §7), or undefined for an unknown suite. */
  pairLength(suite = this.espSuite): number | undefined {
    const sk = espSuiteKeys(suite);
    return sk ? 2 * (sk.encKeyLen + sk.authKeyLen) : undefined;
  }

  /** A new SA pair drawn locally at the next unused KEYMAT index (UPDATE, REA per-interface SA). */
  drawSaPair(spiIn: number, spiOut: number): SaPair | undefined {
    const len = this.pairLength();
    const index = len === undefined || !this.keymat ? undefined : this.keymatAlloc.draw(len);
    return index === undefined ? undefined : this.derive(index, spiIn, spiOut);
  }

  /**
   * The SA pair at a KEYMAT index the peer named (I2/R2 ESP_INFO, UPDATE ESP_INFO, REA_INFO):
   * refused with a reason when the index was already drawn, overlaps a draw or lies below the
   * high-water mark (never two SAs with the same key and salt), or exceeds KEYMAT.
   */
  claimSaPair(index: number, spiIn: number, spiOut: number): SaPair | KeymatRefusal {
    const len = this.pairLength();
    if (len === undefined || !this.keymat) return "keymat_exhausted";
    const why = this.keymatAlloc.claim(index, len);
    return why ?? this.derive(index, spiIn, spiOut) ?? "keymat_exhausted";
  }

  /**
   * A KEYMAT from a new Diffie-Hellman in UPDATE (RFC 7402 §6.10 step 1; `kij` is wiped) and the
   * SA pair at its index 0 (step 2-3). It replaces the current KEYMAT only when the rekey
   * completes ({@link adoptKeymat}); undefined before the association is keyed.
   */
  newKeymatPair(kij: Uint8Array, spiIn: number, spiOut: number): KeymatPair | undefined {
    const keymat = this.keymat?.successor(kij, this.local.hit, this.peerHit);
    kij.fill(0);
    const len = this.pairLength();
    if (!keymat || len === undefined) return undefined;
    const pair = this.derive(0, spiIn, spiOut, keymat, len);
    if (!pair) keymat.destroy();
    return pair ? { keymat, pair } : undefined;
  }

  /** The rekey that drew `pair` from `keymat` (newKeymatPair) completed: the old KEYMAT is wiped,
   * the allocator starts over on the new one with that pair drawn (RFC 7402 §6.10). */
  adoptKeymat(keymat: Keymat, pair: SaPair): void {
    if (keymat === this.keymat) return;
    this.keymat?.destroy();
    this.keymat = keymat;
    this.keymatAlloc.restart(pair.next, keymat.maxLength);
  }

  /** ESP keys for a new SA pair at KEYMAT `index` (RFC 7402 §7, §6.10 step 3); wipes what is
   * below `forget` (default: the allocator's mark). */
  private derive(index: number, spiIn: number, spiOut: number, km = this.keymat, forget = this.keymatAlloc.drawn): SaPair | undefined {
    const sk = espSuiteKeys(this.espSuite);
    if (!sk || !km) return undefined;
    const greater = compareHits(this.local.hit, this.peerHit) > 0;
    const k = drawEspKeys(km, index, sk.encKeyLen, sk.authKeyLen, greater);
    km.forget(forget);
    if (!k) return undefined;
    const s = this.espSuite as EspSuite;
    return {
      index,
      inbound: { direction: "in", spi: spiIn, suite: s, encKey: k.inEnc, authKey: k.inAuth },
      outbound: { direction: "out", spi: spiOut, suite: s, encKey: k.outEnc, authKey: k.outAuth },
      next: k.next,
    };
  }

  /** Send a HIP control packet (without the UDP marker; checksum filled by the host). */
  queueControl(now: Millis, packet: Uint8Array, to: Locator = this.peerLocator, from: Locator | undefined = this.localLocator): void {
    this.lastControlAt = now;
    this.host.queueRaw(now, packet, to, from);
  }

  /** Raise an event (e.g. sa-install after a rekey done by an extension). */
  pushEvent(ev: HipEvent): void {
    this.host.pushEvent(ev);
  }

  /** Set the peer locator used for control packets and ESP. */
  setPeerLocator(l: Locator): void {
    this.peerLocator = l;
  }

  /** Set our locator used for it (undefined: any). */
  setLocalLocator(l: Locator | undefined): void {
    this.localLocator = l;
  }

  /** An authenticated packet of the peer arrived (extensions call this once they verified one):
   * the UAL clock restarts and R2-SENT becomes ESTABLISHED (§6.9 step 21). */
  noteAuthenticated(now: Millis): void {
    this.lastRxAt = now;
    this.unansweredSince = undefined;
    this.markEstablished();
  }

  /** R2-SENT → ESTABLISHED when the peer shows it is established (§6.9 step 21). */
  markEstablished(): void {
    if (this.state !== "R2-SENT") return;
    this.state = "ESTABLISHED";
    this.deadline = undefined;
    this.host.pushEvent({ type: "established", peerHit: this.peerHit, localHit: this.local.hit, peer: this.peerLocator, local: this.localLocator, initiator: this.initiator });
  }
}
