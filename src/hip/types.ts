// Configuration, events and extension hooks of the HIP core (see host.ts for the contract).
import type { Locator, Millis, Rng } from "../core/types.ts";
import type { CryptoProvider } from "../core/crypto/provider.ts";
import type { HipPacket } from "../wire/packet.ts";
import type { Association } from "./association.ts";
import type { HostIdentity, PeerIdentity } from "./identity.ts";
import type { PeerProfileConfig } from "./profile.ts";
import type { HipLimits } from "./limits.ts";
import type { SaParams } from "./sa.ts";

/** RFC 7401 §4.4.2 states. */
export type HipState = "UNASSOCIATED" | "I1-SENT" | "I2-SENT" | "R2-SENT" | "ESTABLISHED" | "CLOSING" | "CLOSED" | "E-FAILED";

/** Retransmission of I1, I2, UPDATE and CLOSE (RFC 7401 §6.6, §6.8): exponential backoff. */
export interface RetransmitConfig {
  /** First retransmission timeout (doubles after each try, RFC 7401 §6.6 / §6.8 step 18). */
  initialMs: Millis;
  /** Total transmissions of one I1 / I2 / CLOSE (first send included) before giving up. */
  maxTries: number;
  /** Cap of the backed-off timeout. */
  maxMs: Millis;
}

/** Configuration of a `HipHost` (defaults: {@link HIP_DEFAULTS}, docs/PROTOCOL.md §7). */
export interface HipHostConfig {
  /** Our host identity (keys and HIT). */
  identity: HostIdentity;
  /** Randomness (SPIs, puzzle #I, DH keys); the core has no other source. */
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
  /** I1 / I2 / UPDATE / CLOSE retransmission (defaults HIP_DEFAULTS.retransmit). */
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
   * Rejoin a peer that still has an association with us after we lost ours (we restarted): an
   * UPDATE or mobility packet from a HIT we have no association with starts a base exchange to
   * its source (I1, smaller than what triggered it; limits.rejoin*: rate and puzzle caps; only while half
   * the half-open room is free), and the peer replaces its association on our I2 (RFC 7401
   * §4.4.2, ESTABLISHED + I2). `accept` is asked once the R1 verified. docs/PROTOCOL.md §7.11.
   * Default true.
   */
  rejoin?: boolean;
  /**
   * Who may associate with us: called for every authenticated I2 (puzzle, HIP_MAC and signature
   * verified) with the Initiator's HIT, identity and locator. `false` refuses it with NOTIFY
   * BLOCKED_BY_POLICY (RFC 7401 §5.2.19) and the counter `drop.blocked_by_policy`. Default: all.
   */
  accept?: (peerHit: Uint8Array, peer: PeerIdentity, from: Locator) => boolean;
  /** How long CLOSED state lingers to re-acknowledge duplicate CLOSEs (§4.4.3). Default 15 000 ms. */
  closedLingerMs?: Millis;
  /**
   * Heartbeat (used when mobility is off; its liveness ACs do the same): ESP we sent that the
   * peer left unanswered (nothing authentic from it since) this long → an UPDATE with only SEQ
   * (RFC 7401 §6.11-§6.12, as HIPL and cutehip send), retransmitted like any UPDATE; never
   * acknowledged → the association is given up (`closed`, reason `unreachable`). A restarted
   * peer answers it with a rejoin (§7.11). Default 5000 ms; 0 = off.
   */
  heartbeatMs?: Millis;
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
  /**
   * A synchronous provider (`synchronous: true`, e.g. node:crypto) for what the core signs and
   * verifies outside crypto jobs: CLOSE / CLOSE_ACK, UPDATE, NOTIFY, R1 generations and
   * mobility (REA / AC / ACR). Default (or an asynchronous provider): `@noble` inline.
   * startNodeHost passes its node:crypto provider.
   */
  syncCrypto?: CryptoProvider;
  /** Crypto jobs outstanding at once (job mode); beyond it packets needing one are dropped
   * (`drop.crypto_busy`). Default 256. */
  maxCryptoJobs?: number;
  /** State and rate limits against hostile peers (src/hip/limits.ts, defaults HIP_LIMITS). */
  limits?: Partial<HipLimits>;
}

/** Events of the HIP core, drained with `HipHost.pollEvent()`; `type` names the event. */
export type HipEvent =
  | {
      /** Event kind. */
      type: "established";
      /** The peer's HIT (16 bytes). */
      peerHit: Uint8Array;
      /** Our HIT (16 bytes). */
      localHit: Uint8Array;
      /** The peer's locator the association runs on. */
      peer: Locator;
      /** Our locator, when known. */
      local?: Locator;
      /** True when we sent the I1. */
      initiator: boolean;
    }
  | {
      /** Event kind. */
      type: "sa-install";
      /** The peer's HIT (16 bytes). */
      peerHit: Uint8Array;
      /** The inbound SA (peer → us). */
      inbound: SaParams;
      /** The outbound SA (us → peer). */
      outbound: SaParams;
    }
  | {
      /** Event kind. */
      type: "sa-remove";
      /** The peer's HIT (16 bytes). */
      peerHit: Uint8Array;
      /** SPI of the removed inbound SA. */
      inboundSpi: number;
      /** SPI of the removed outbound SA. */
      outboundSpi: number;
    }
  /** An extension added one more SA of the association (per-interface SA, draft §4.5); the pair from sa-install stays. */
  | {
      /** Event kind. */
      type: "sa-add";
      /** The peer's HIT (16 bytes). */
      peerHit: Uint8Array;
      /** The added SA. */
      sa: SaParams;
    }
  /** UPDATE rekey (RFC 7402 §6.9, src/hip/update.ts): the new pair replaces the current one; the old outbound SA goes, the old inbound SA is retired. */
  | {
      /** Event kind. */
      type: "sa-rekey";
      /** The peer's HIT (16 bytes). */
      peerHit: Uint8Array;
      /** The new inbound SA. */
      inbound: SaParams;
      /** The new outbound SA. */
      outbound: SaParams;
      /** SPI of the retired inbound SA. */
      oldInboundSpi: number;
      /** SPI of the removed outbound SA. */
      oldOutboundSpi: number;
    }
  /** An extension retired one SA added by sa-add (draft §6.1.1.1). */
  | {
      /** Event kind. */
      type: "sa-delete";
      /** The peer's HIT (16 bytes). */
      peerHit: Uint8Array;
      /** Which SA: inbound or outbound. */
      direction: "in" | "out";
      /** Its SPI. */
      spi: number;
    }
  | {
      /** Event kind. */
      type: "closed";
      /** The peer's HIT (16 bytes). */
      peerHit: Uint8Array;
      /** Who closed: we did, the peer did (CLOSE), the association timed out, or the peer stopped answering (`HipHost.abandon`). */
      reason: "local" | "peer" | "timeout" | "unreachable";
    }
  /** The peer stopped answering (`reachable: false`) or answers again (`true`). Raised by
   *  mobility (every path silent: its `peer-unreachable` / `peer-reachable`, src/mobility) or,
   *  without mobility, by the heartbeat (its UPDATE unanswered past the first retransmission /
   *  acknowledged at last, src/hip/update.ts): one event whichever watches the peer. */
  | {
      /** Event kind. */
      type: "reachability";
      /** The peer's HIT (16 bytes). */
      peerHit: Uint8Array;
      /** False: unreachable; true: it answered again. */
      reachable: boolean;
      /** Since the last authenticated packet from the peer (ms). */
      silentMs: Millis;
    }
  | {
      /** Event kind. */
      type: "failed";
      /** The peer's HIT (16 bytes). */
      peerHit: Uint8Array;
      /** Why the base exchange or association failed. */
      reason: string;
      /** The HIP state it failed in ("I1-SENT": no R1 came; "I2-SENT": no R2…). */
      state?: string;
    }
  | {
      /** Event kind. */
      type: "notify";
      /** The peer's HIT (16 bytes). */
      peerHit: Uint8Array;
      /** NOTIFICATION message type (RFC 7401 §5.2.19, `NotifyType`). */
      notifyType: number;
      /** Notification data. */
      data: Uint8Array;
      /** True when the NOTIFY's signature verified. */
      verified: boolean;
    }
  | {
      /** Event kind. */
      type: "drop";
      /** Why the packet was dropped (the counter name under `drop.`). */
      reason: string;
      /** The wire error code (`WireErrorCode`), else the reason. */
      code: string;
      /** Byte offset of the error in the packet, if any. */
      offset?: number;
      /** HIP packet type of the dropped packet, if parsed. */
      packetType?: number;
      /** Where the packet came from. */
      from?: Locator;
    };

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
  /** Called when the time from `pollTimeout` has come. */
  handleTimeout?(now: Millis): void;
  /** The first ESP packet since the peer was last heard from was sent on `a` (HipHost.noteEspSent). */
  espUnanswered?(now: Millis, a: Association): void;
  /** The extension's next deadline (ms), if any. */
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
  /** Puzzle difficulty #K asked of Initiators. */
  puzzleK: 8,
  /** PUZZLE Lifetime field (37: 32 s). */
  puzzleLifetime: 37,
  /** PUZZLE Opaque field. */
  puzzleOpaque: 0,
  /** Largest #K we solve. */
  maxPuzzleK: 24,
  /** DH groups: NIST P-384, P-256. */
  dhGroups: [8, 7],
  /** HIP ciphers: AES-256-CBC, AES-128-CBC. */
  hipCiphers: [4, 2],
  /** ESP suites: AES-GCM-16, AES-256/128-CBC-HMAC-SHA256, AES-128-CBC-HMAC-SHA1, NULL-HMAC-SHA256. */
  espSuites: [13, 9, 8, 1, 7],
  /** Lifetime of one R1 generation (ms). */
  r1Lifetime: 120_000,
  /** Retransmission: first timeout 1 s, 5 tries, timeout capped at 8 s. */
  retransmit: { initialMs: 1000, maxTries: 5, maxMs: 8000 } as RetransmitConfig,
  /** CLOSED lingers this long (ms). */
  closedLingerMs: 15_000,
  /** Heartbeat UPDATE after this long of unanswered ESP (mobility off). */
  heartbeatMs: 5_000,
} as const;
