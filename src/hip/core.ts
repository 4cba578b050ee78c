// Internal interface between HipHost and its packet handlers (initiator.ts, responder.ts,
// close.ts). Not part of the public API.
import type { Locator, Millis, Rng } from "../core/types.ts";
import type { HipPacket } from "../wire/packet.ts";
import type { Association } from "./association.ts";
import type { Signer } from "./auth.ts";
import type { CryptoJobs } from "./crypto-jobs.ts";
import type { HostIdentity } from "./identity.ts";
import type { R1Factory } from "./r1.ts";
import type { R1CounterMemory } from "./replay.ts";
import { HIP_DEFAULTS, type HipEvent, type HipHostConfig, type RetransmitConfig } from "./types.ts";

export interface ResolvedConfig {
  puzzleK: number;
  puzzleLifetime: number;
  puzzleOpaque: number;
  maxPuzzleK: number;
  dhGroups: number[];
  hipCiphers: number[];
  espSuites: number[];
  r1Lifetime: Millis;
  retransmit: RetransmitConfig;
  encryptHostId: boolean;
  r1Counter: boolean;
  peerProfile: HipHostConfig["peerProfile"];
  checksum: "pseudo" | "zero";
  allowOpportunistic: boolean;
  rejoin: boolean;
  accept: NonNullable<HipHostConfig["accept"]>;
  closedLingerMs: Millis;
  heartbeatMs: Millis;
  dropEvents: boolean;
}

/** HipHostConfig with every default filled in (HIP_DEFAULTS). */
export function resolveConfig(cfg: HipHostConfig): ResolvedConfig {
  return {
    puzzleK: cfg.puzzleK ?? HIP_DEFAULTS.puzzleK,
    puzzleLifetime: cfg.puzzleLifetime ?? HIP_DEFAULTS.puzzleLifetime,
    puzzleOpaque: cfg.puzzleOpaque ?? HIP_DEFAULTS.puzzleOpaque,
    maxPuzzleK: cfg.maxPuzzleK ?? HIP_DEFAULTS.maxPuzzleK,
    dhGroups: [...(cfg.dhGroups ?? HIP_DEFAULTS.dhGroups)],
    hipCiphers: [...(cfg.hipCiphers ?? HIP_DEFAULTS.hipCiphers)],
    espSuites: [...(cfg.espSuites ?? HIP_DEFAULTS.espSuites)],
    r1Lifetime: cfg.r1Lifetime ?? HIP_DEFAULTS.r1Lifetime,
    retransmit: { ...HIP_DEFAULTS.retransmit, ...cfg.retransmit },
    encryptHostId: cfg.encryptHostId ?? true,
    r1Counter: cfg.r1Counter ?? true,
    peerProfile: cfg.peerProfile,
    checksum: cfg.checksum ?? "zero", // RFC 5770 §5.1, RFC 9028 §5.1: zero over UDP
    allowOpportunistic: cfg.allowOpportunistic ?? true,
    rejoin: cfg.rejoin ?? true,
    accept: cfg.accept ?? (() => true),
    closedLingerMs: cfg.closedLingerMs ?? HIP_DEFAULTS.closedLingerMs,
    heartbeatMs: cfg.heartbeatMs ?? HIP_DEFAULTS.heartbeatMs,
    dropEvents: cfg.dropEvents ?? true,
  };
}

export interface HostCore {
  readonly identity: HostIdentity;
  /** Signs as `identity` at once (crypto.signerFor: the synchronous provider, else `@noble`). */
  readonly signer: Signer;
  readonly rng: Rng;
  readonly cfg: ResolvedConfig;
  readonly r1: R1Factory;
  /** Initiator: highest R1_COUNTER seen per Responder (replay.ts). */
  readonly r1Seen: R1CounterMemory;
  /** Public-key operations (inline or as jobs for the driver, crypto-jobs.ts). */
  readonly crypto: CryptoJobs;
  association(peerHit: Uint8Array): Association | undefined;
  /** `a` is still registered (crypto-job continuations re-check it). */
  isLive(a: Association): boolean;
  /** Why a new association does not fit now (limits), or undefined. */
  noRoom(): string | undefined;
  /** New association (replacing none); registered under its peer HIT. */
  createAssociation(peerHit: Uint8Array, peer: Locator): Association;
  /** An unregistered association (I2 processing builds keys in it before adopting it). */
  createScratch(peerHit: Uint8Array, peer: Locator): Association;
  /** Register `n` in place of `old` (whose SAs are removed, §6.9 step 20); returns `n`. */
  adopt(now: Millis, n: Association, old: Association | undefined): Association;
  /** Forget an association (and its SPI). */
  removeAssociation(a: Association): void;
  /** Re-register an opportunistic association under the HIT learned from R1. */
  rekey(a: Association, peerHit: Uint8Array): void;
  allocSpi(a: Association, preferred?: number): number;
  /** Emit + frame + queue; returns the HIP packet bytes. */
  send(now: Millis, pkt: HipPacket, to: Locator, from: Locator | undefined): Uint8Array;
  /** Frame + queue an emitted HIP packet (checksum filled in here). */
  sendRaw(now: Millis, packet: Uint8Array, to: Locator, from: Locator | undefined): void;
  /** send() and arm the retransmission timer of `a` with it. */
  sendReliable(now: Millis, a: Association, pkt: HipPacket): void;
  /** Count + drop event; always returns false. */
  drop(reason: string, pkt: HipPacket | undefined, from: Locator | undefined, code?: string, offset?: number): false;
  /** NOTIFY the peer (signed, §5.3.6), then drop(reason). */
  notifyAndDrop(now: Millis, a: Association | undefined, pkt: HipPacket, from: Locator, notifyType: number, reason: string, data?: Uint8Array): false;
  /** Exchange failed: E-FAILED, failed event, association removed; returns false. */
  fail(now: Millis, a: Association, reason: string): false;
  event(ev: HipEvent): void;
  count(name: string): void;
}
