// Internal interface between HipHost and its packet handlers (initiator.ts, responder.ts,
// close.ts). Not part of the public API.
import { intSetting } from "../core/settings.ts";
import type { Locator, Millis, Rng } from "../core/types.ts";
import type { HipPacket } from "../wire/packet.ts";
import type { Association } from "./association.ts";
import type { Signer } from "./auth.ts";
import type { CryptoJobs } from "./crypto-jobs.ts";
import type { HostIdentity } from "./identity.ts";
import type { R1Factory } from "./r1.ts";
import type { R1CounterMemory } from "./replay.ts";
import { isSupportedDhGroup } from "./dh.ts";
import { espSuiteKeys, hipCipherKeyLen } from "./suites.ts";
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

/** An algorithm list: non-empty, each one implemented here (`supported`), else a RangeError naming the field. */
function algorithms(field: string, given: readonly number[] | undefined, defaults: readonly number[], supported: (id: number) => boolean, all: string): number[] {
  const xs = [...(given ?? defaults)];
  if (xs.length === 0) throw new RangeError(`HipHostConfig.${field}: empty (want some of ${all})`);
  for (const x of xs) if (!supported(x)) throw new RangeError(`HipHostConfig.${field}: ${x} is not implemented here (want some of ${all})`);
  return xs;
}

/** An integer field of HipHostConfig from `least` to `most` (a NaN puzzle #K or timeout would fail silently). */
const int = (field: string, v: number | undefined, def: number, least: number, most: number): number => intSetting(`HipHostConfig.${field}`, v, def, least, most);

/** HipHostConfig with every default filled in (HIP_DEFAULTS). A setting this host cannot work
 *  with (a DH group, HIP cipher or ESP suite not implemented, an empty list, a #K or timeout out of
 *  range) throws a RangeError naming the field: left in, the base exchange would just never complete. */
export function resolveConfig(cfg: HipHostConfig): ResolvedConfig {
  const rt = cfg.retransmit ?? {};
  const D = HIP_DEFAULTS;
  return {
    // #K, Lifetime: 8-bit fields (RFC 7401 §5.2.4); Opaque: 16 bits.
    puzzleK: int("puzzleK", cfg.puzzleK, D.puzzleK, 0, 255),
    puzzleLifetime: int("puzzleLifetime", cfg.puzzleLifetime, D.puzzleLifetime, 0, 255),
    puzzleOpaque: int("puzzleOpaque", cfg.puzzleOpaque, D.puzzleOpaque, 0, 0xffff),
    maxPuzzleK: int("maxPuzzleK", cfg.maxPuzzleK, D.maxPuzzleK, 0, 255),
    dhGroups: algorithms("dhGroups", cfg.dhGroups, D.dhGroups, isSupportedDhGroup, "7 P-256, 8 P-384"),
    hipCiphers: algorithms("hipCiphers", cfg.hipCiphers, D.hipCiphers, (x) => hipCipherKeyLen(x) !== undefined, "1 NULL, 2 AES-128-CBC, 4 AES-256-CBC"),
    espSuites: algorithms("espSuites", cfg.espSuites, D.espSuites, (x) => espSuiteKeys(x) !== undefined, "1, 7, 8, 9, 13"),
    r1Lifetime: int("r1Lifetime", cfg.r1Lifetime, D.r1Lifetime, 1, 2 ** 31),
    retransmit: {
      initialMs: int("retransmit.initialMs", rt.initialMs, D.retransmit.initialMs, 1, 2 ** 31),
      maxTries: int("retransmit.maxTries", rt.maxTries, D.retransmit.maxTries, 1, 1000),
      maxMs: int("retransmit.maxMs", rt.maxMs, D.retransmit.maxMs, 1, 2 ** 31),
    },
    encryptHostId: cfg.encryptHostId ?? true,
    r1Counter: cfg.r1Counter ?? true,
    peerProfile: cfg.peerProfile,
    checksum: cfg.checksum ?? "zero", // RFC 5770 §5.1, RFC 9028 §5.1: zero over UDP
    allowOpportunistic: cfg.allowOpportunistic ?? true,
    rejoin: cfg.rejoin ?? true,
    accept: cfg.accept ?? (() => true),
    closedLingerMs: int("closedLingerMs", cfg.closedLingerMs, D.closedLingerMs, 0, 2 ** 31),
    heartbeatMs: int("heartbeatMs", cfg.heartbeatMs, D.heartbeatMs, 0, 2 ** 31),
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
  /** May an I2 with a solved puzzle of #K `k` go on to the costly work (I2 budget, PROTOCOL §7.9)? */
  admitI2(now: Millis, ip: string, k: number): boolean;
  /** May a NOTIFY from `ip` have its signature checked now (NOTIFY verification budget)? */
  admitNotifyVerify(now: Millis, ip: string): boolean;
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
