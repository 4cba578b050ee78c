// Configuration, events and extension hooks of the HIP core (see host.ts for the contract).
import type { Locator, Millis, Rng } from "../core/types.ts";
import type { HipPacket } from "../wire/packet.ts";
import type { Association } from "./association.ts";
import type { HostIdentity, PeerIdentity } from "./identity.ts";
import type { PeerProfileConfig } from "./profile.ts";
import type { HipLimits } from "./limits.ts";
import type { SaParams } from "./sa.ts";

/** RFC 7401 §4.4.2 states. */
export type HipState = "UNASSOCIATED" | "I1-SENT" | "I2-SENT" | "R2-SENT" | "ESTABLISHED" | "CLOSING" | "CLOSED" | "E-FAILED";

export interface RetransmitConfig {
  /** First retransmission timeout (doubles after each try, RFC 7401 §6.6 / §6.8 step 18). */
  initialMs: Millis;
  /** Total transmissions of one I1 / I2 / CLOSE (first send included) before giving up. */
  maxTries: number;
  /** Cap of the backed-off timeout. */
  maxMs: Millis;
}

export interface HipHostConfig {
  identity: HostIdentity;
  rng: Rng;
  /** Puzzle difficulty #K we ask of Initiators (RFC 7401 §4.1.2). Default 8. */
  puzzleK?: number;
  /** PUZZLE Lifetime field, 2^(v-32) s (§5.2.4). Default 37 (32 s). */
  puzzleLifetime?: number;
  /** PUZZLE Opaque field we send and require echoed in SOLUTION. Default 0. */
  puzzleOpaque?: number;
  /** Largest #K we are willing to solve. Default 24. */
  maxPuzzleK?: number;
  /** DH groups in preference order (RFC 7401 §5.2.6). Default [8, 7]. */
  dhGroups?: number[];
  /** HIP_CIPHER IDs in preference order (§5.2.8). Default [4, 2]; NULL (1) only if listed. */
  hipCiphers?: number[];
  /** ESP transform suites in preference order (RFC 7402 §5.1.2). Default [13, 9, 8, 1, 7]. */
  espSuites?: number[];
  /** Lifetime of one R1 generation (secret, DH keys, signed R1s). Default 120 000 ms. */
  r1Lifetime?: Millis;
  /** First R1 generation counter (RFC 7401 §4.1.4). Default 1. */
  r1CounterStart?: bigint;
  /** Solved puzzles remembered per R1 generation (each is accepted once, issue 9); when full,
   * further I2s of that generation are dropped (`drop.puzzle_memory_full`) and new I1s get a
   * new generation. Default 65 536. */
  maxSolvedPerGeneration?: number;
  retransmit?: Partial<RetransmitConfig>;
  /** Encrypt HOST_ID in I2 with the HIP_CIPHER (§5.3.3). Default true; false sends it in
   * clear (§5.3.3 allows both; cutehip accepts only clear, docs/PROTOCOL.md §11). */
  encryptHostId?: boolean;
  /** Put R1_COUNTER in our R1s (§5.2.3, optional in R1 §5.3.2). Default true. Without it an
   * I2 is matched to an R1 generation by its puzzle #I (docs/PROTOCOL.md §11). */
  r1Counter?: boolean;
  /** Peer profile(s): wire deviations of other implementations to follow for the peers named
   * (src/hip/profile.ts, docs/PROTOCOL.md §11.5). Default: none (RFC behaviour). */
  peerProfile?: PeerProfileConfig;
  /** HIP checksum sent: 0 ("zero", default: RFC 5770 §5.1 / RFC 9028 §5.1 for HIP over UDP, which
   * survives NATs) or the RFC 7401 pseudo-header sum over the outer addresses ("pseudo"). On receipt
   * 0 is always accepted and a non-zero checksum must verify over the outer addresses. */
  checksum?: "pseudo" | "zero";
  /** Answer I1s with a NULL receiver HIT (opportunistic mode, §4.1.8). Default true. */
  allowOpportunistic?: boolean;
  /**
   * Who may associate with us: called for every authenticated I2 (puzzle, HIP_MAC and signature
   * verified) with the Initiator's HIT, identity and locator. `false` refuses it with NOTIFY
   * BLOCKED_BY_POLICY (RFC 7401 §5.2.19) and the counter `drop.blocked_by_policy`. Default: all.
   */
  accept?: (peerHit: Uint8Array, peer: PeerIdentity, from: Locator) => boolean;
  /** How long CLOSED state lingers to re-acknowledge duplicate CLOSEs (§4.4.3). Default 15 000 ms. */
  closedLingerMs?: Millis;
  /** Emit a "drop" event for each dropped packet (counters are always kept). Default true. */
  dropEvents?: boolean;
  /**
   * Source of inbound SPIs (e.g. the SPI range leased from a Forwarding Agent on a shared IPv4
   * locator, draft §4.4, PROFILE §2). Called for every new inbound SPI; a value that is < 256
   * or already in use, or undefined, falls back to a random SPI (RFC 7402 §3.3.4).
   */
  spiSource?: (a: Association) => number | undefined;
  /**
   * Run signatures, verifications and ECDH as crypto jobs (src/hip/crypto-jobs.ts): the driver
   * polls them (`pollCryptoJob`), runs them on a provider (WebCrypto) and hands the results back
   * (`handleCryptoResult`). Default false: inline with `@noble` (simulator, tests; deterministic).
   */
  cryptoJobs?: boolean;
  /** Crypto jobs outstanding at once (job mode); beyond it packets needing one are dropped
   * (`drop.crypto_busy`). Default 256. */
  maxCryptoJobs?: number;
  /** State and rate limits against hostile peers (src/hip/limits.ts, defaults HIP_LIMITS). */
  limits?: Partial<HipLimits>;
}

export type HipEvent =
  | { type: "established"; peerHit: Uint8Array; localHit: Uint8Array; peer: Locator; local?: Locator; initiator: boolean }
  | { type: "sa-install"; peerHit: Uint8Array; inbound: SaParams; outbound: SaParams }
  | { type: "sa-remove"; peerHit: Uint8Array; inboundSpi: number; outboundSpi: number }
  /** An extension added one more SA of the association (per-interface SA, draft §4.5); the pair from sa-install stays. */
  | { type: "sa-add"; peerHit: Uint8Array; sa: SaParams }
  /** UPDATE rekey (RFC 7402 §6.9, src/hip/update.ts): the new pair replaces the current one; the old outbound SA goes, the old inbound SA is retired. */
  | { type: "sa-rekey"; peerHit: Uint8Array; inbound: SaParams; outbound: SaParams; oldInboundSpi: number; oldOutboundSpi: number }
  /** An extension retired one SA added by sa-add (draft §6.1.1.1). */
  | { type: "sa-delete"; peerHit: Uint8Array; direction: "in" | "out"; spi: number }
  | { type: "closed"; peerHit: Uint8Array; reason: "local" | "peer" | "timeout" }
  | { type: "failed"; peerHit: Uint8Array; reason: string }
  | { type: "notify"; peerHit: Uint8Array; notifyType: number; data: Uint8Array; verified: boolean }
  | { type: "drop"; reason: string; code: string; offset?: number; packetType?: number; from?: Locator };

/**
 * Plug-in for packet types (or base packets) the core does not handle itself (mobility,
 * Forwarding Agent client). Extensions send through `Association.queueControl(now, packet, to,
 * from)` (explicit locators) or `HipHost.send`, and raise events with `Association.pushEvent`.
 */
export interface HipExtension {
  /** Packet types offered to this extension before the core looks at them. */
  packetTypes: number[];
  /** Return true when the packet was consumed. `assoc` is the association with the sender HIT, if any.
   * The core checked repeated and unknown critical parameters first (RFC 7401 §5.2.1); an
   * extension that authenticated the packet calls `assoc.noteAuthenticated(now)` (UAL clock,
   * R2-SENT → ESTABLISHED): consuming a packet does not vouch for it. */
  handle(now: Millis, pkt: HipPacket, raw: Uint8Array, from: Locator, to: Locator, assoc: Association | undefined): boolean;
  handleTimeout?(now: Millis): void;
  pollTimeout?(): Millis | undefined;
  /**
   * Sees every core event as it is raised (before the runtime drains it), with the current
   * time, e.g. `sa-install` to bind per-association state once keys exist, `closed` to drop it.
   */
  onEvent?(now: Millis, ev: HipEvent): void;
  /**
   * The data plane authenticated an ESP packet on inbound `spi` of `assoc`, received from
   * `from` at our `to` (outer addresses: liveness and failover, draft §3.3).
   */
  /** `bytes`: size of the authenticated ESP packet, when the caller knows it. */
  espReceived?(now: Millis, assoc: Association, spi: number, from: Locator, to: Locator | undefined, bytes?: number): void;
}

/** Defaults, documented in docs/PROTOCOL.md §7. */
export const HIP_DEFAULTS = {
  puzzleK: 8,
  puzzleLifetime: 37,
  puzzleOpaque: 0,
  maxPuzzleK: 24,
  dhGroups: [8, 7],
  hipCiphers: [4, 2],
  espSuites: [13, 9, 8, 1, 7],
  r1Lifetime: 120_000,
  retransmit: { initialMs: 1000, maxTries: 5, maxMs: 8000 } as RetransmitConfig,
  closedLingerMs: 15_000,
} as const;
