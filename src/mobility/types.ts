// Types of the mobility layer (draft-nikander-hip-mm-00 §4-§6). Sans-I/O: nothing here
// touches clocks, sockets or randomness.
import type { Locator, Millis } from "../core/types.ts";

/**
 * Address status (§4.3: "an address consists of the actual bitpattern ..., a lifetime, and a
 * status"). Peer addresses: unverified until the ACR (§5.3), active after it, deprecated once
 * left out of an REA (§6.4) or expired. Local addresses: active or deprecated (still configured,
 * announced as not preferred, kept only until the peer has moved off it).
 */
export type AddressStatus = "unverified" | "active" | "deprecated";

/** One address of a logical interface (§4.1, Figure 1). */
export interface MmAddress {
  readonly locator: Locator;
  status: AddressStatus;
  /** Absolute expiry time (REA_INFO Address Lifetime is in seconds, §6.1.1.1). */
  expiresAt: Millis;
  /** Higher is better; from policy (local) or the REA_INFO preferred flag (peer). */
  preference: number;
  /** The REA_INFO "preferred" flag (PROFILE §2 extension of the Reserved word). */
  preferred: boolean;
  /** When the address last passed an address check (or was trusted, §6.5). */
  verifiedAt?: Millis;
  /**
   * Peer address usable only from our logical interface with this ID: it was learned through an
   * FA relay (our leased locator, §4.4), so it is known to answer the FA only — a peer behind a
   * NAT drops what our own addresses would send it (docs/PROTOCOL.md §9.3).
   */
  onlyFrom?: number;
}

/** Interface ID of the address leased from a Forwarding Agent (draft §6.4 "FA logical interface"). */
export const FA_INTERFACE = 0xfa;

/** A logical interface: a fate-sharing group of addresses (§4.1). */
export interface LogicalInterface {
  readonly id: number;
  up: boolean;
  /** Not announced and not used for paths (location privacy, §3.2). */
  hidden?: boolean;
  addresses: MmAddress[];
  /** Bumped on every change; sessions compare it with what they last announced. */
  version: number;
}

/** One address entry of an REA_INFO (§6.1.1.1). Lifetime in seconds. */
export interface ReaAddress {
  locator: Locator;
  lifetime: number;
  preferred: boolean;
}

/** REA_INFO payload (§6.1.1.1). */
export interface ReaInfo {
  interfaceId: number;
  /** "Current SPI in reverse direction": the SPI we send with (the peer's inbound). */
  currentSpiReverse: number;
  /** "Current SPI": the SPI we receive with on this interface. */
  currentSpi: number;
  /** "New SPI": equals currentSpi unless the SA changes. */
  newSpi: number;
  /** "Keymaterial index" for the new SA (0 when unchanged). The draft says "bit index"; we use a
   * byte index like RFC 7402 ESP_INFO (docs/PROTOCOL.md §8, "Keymaterial index: bytes"). */
  keymatIndex: number;
  reaId: number;
  addresses: ReaAddress[];
}

/** AC_INFO payload (§6.1.2.1). */
export interface AcInfo {
  acId: number;
  reaId: number;
  /** RTT timestamp: sender's clock in ms modulo 2^32. */
  timestamp: number;
}

/** The three readdressing packets (§5.3) as plain values. */
export type MmMessage =
  | { type: "REA"; infos: ReaInfo[]; espDatagram?: Uint8Array }
  | { type: "AC"; ac: AcInfo }
  | { type: "ACR"; ac: AcInfo };

export type RejectReason =
  | "malformed"
  | "bad-hmac"
  | "bad-signature"
  | "replayed-rea"
  | "replayed-ac"
  | "replayed-acr"
  | "unmatched-ac"
  | "unmatched-acr"
  | "acr-wrong-source"
  | "ac-to-foreign-address"
  /** An REA that would exceed the peer's interface or address limit (limits.maxPeerInterfaces / maxPeerAddresses). */
  | "limit";

/** A data path: our local locator and the peer's. */
export interface Path {
  readonly from: Locator;
  readonly to: Locator;
}

export type MobilityEvent =
  | { type: "rea-sent"; t: Millis; reaId: number; interfaces: number[]; to: Locator; retransmit: boolean }
  | { type: "rea-acked"; t: Millis; reaId: number; rtt: Millis | undefined }
  | { type: "rea-failed"; t: Millis; reaId: number }
  | { type: "peer-rea"; t: Millis; reaId: number; added: Locator[]; lost: Locator[]; duplicate: boolean }
  | { type: "ac-sent"; t: Millis; to: Locator; acId: number; reaId: number; liveness: boolean }
  | { type: "acr-sent"; t: Millis; to: Locator; acId: number }
  | { type: "address-verified"; t: Millis; locator: Locator; rtt: Millis }
  /** An authenticated REA came from this listed address: data on source credit (policy `sourceCredit`). */
  | { type: "address-credited"; t: Millis; locator: Locator }
  | { type: "address-failed"; t: Millis; locator: Locator; reason: "no-acr" | "silent" | "budget" | "expired" }
  | { type: "path-changed"; t: Millis; path: Path | undefined; previous: Path | undefined; reason: string }
  | { type: "rejected"; t: Millis; reason: RejectReason; from: Locator }
  | { type: "esp-datagram"; t: Millis; data: Uint8Array; from: Locator; to: Locator };

/** Counters kept per session (§8: every rejected packet is counted). */
export interface MobilityCounters {
  reaSent: number;
  reaRetransmits: number;
  reaReceived: number;
  reaDuplicates: number;
  acSent: number;
  acLiveness: number;
  acReceived: number;
  acrSent: number;
  acrReceived: number;
  probesSuppressed: number;
  probesToUnverified: number;
  bytesToUnverified: number;
  /** Data datagrams / bytes sent on source credit (before the ACR, policy `sourceCredit`). */
  creditDatagrams: number;
  creditBytes: number;
  /** Observed sources (NAT rebinding) that passed the address check and took the data path. */
  rebindings: number;
  rejected: Record<RejectReason, number>;
}

export function newCounters(): MobilityCounters {
  return {
    reaSent: 0,
    reaRetransmits: 0,
    reaReceived: 0,
    reaDuplicates: 0,
    acSent: 0,
    acLiveness: 0,
    acReceived: 0,
    acrSent: 0,
    acrReceived: 0,
    probesSuppressed: 0,
    probesToUnverified: 0,
    bytesToUnverified: 0,
    creditDatagrams: 0,
    creditBytes: 0,
    rebindings: 0,
    rejected: {
      malformed: 0,
      "bad-hmac": 0,
      "bad-signature": 0,
      "replayed-rea": 0,
      "replayed-ac": 0,
      "replayed-acr": 0,
      "unmatched-ac": 0,
      "unmatched-acr": 0,
      "acr-wrong-source": 0,
      "ac-to-foreign-address": 0,
      limit: 0,
    },
  };
}
