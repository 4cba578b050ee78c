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
  /** Our local locator (the source of datagrams on this path). */
  readonly from: Locator;
  /** The peer's locator (the destination). */
  readonly to: Locator;
}

/** Events of a mobility session (draft §5.3, §6.4-§6.5); `type` names the event, `t` is when (ms). */
export type MobilityEvent =
  | {
      /** Event kind. */
      type: "rea-sent";
      /** When it happened (ms, the caller's clock). */
      t: Millis;
      /** REA ID of the REA. */
      reaId: number;
      /** Logical interface IDs it announces. */
      interfaces: number[];
      /** The peer locator it went to. */
      to: Locator;
      /** True when this send is a retransmission. */
      retransmit: boolean;
    }
  | {
      /** Event kind. */
      type: "rea-acked";
      /** When it happened (ms, the caller's clock). */
      t: Millis;
      /** REA ID of the acknowledged REA. */
      reaId: number;
      /** Round-trip time (ms) when the REA was sent once (Karn's rule), else undefined. */
      rtt: Millis | undefined;
    }
  | {
      /** Event kind. */
      type: "rea-failed";
      /** When it happened (ms, the caller's clock). */
      t: Millis;
      /** REA ID of the REA that got no AC after every retransmission. */
      reaId: number;
    }
  | {
      /** Event kind. */
      type: "peer-rea";
      /** When it happened (ms, the caller's clock). */
      t: Millis;
      /** The peer's REA ID. */
      reaId: number;
      /** Peer locators new in this REA. */
      added: Locator[];
      /** Peer locators it no longer lists. */
      lost: Locator[];
      /** True when this REA ID was seen before (ignored, AC sent again). */
      duplicate: boolean;
    }
  | {
      /** Event kind. */
      type: "ac-sent";
      /** When it happened (ms, the caller's clock). */
      t: Millis;
      /** The peer locator probed. */
      to: Locator;
      /** AC ID of the probe. */
      acId: number;
      /** REA ID the AC answers (§6.1.2.1). */
      reaId: number;
      /** True for a liveness probe of a known address rather than a new one. */
      liveness: boolean;
    }
  | {
      /** Event kind. */
      type: "acr-sent";
      /** When it happened (ms, the caller's clock). */
      t: Millis;
      /** The peer locator the ACR went to. */
      to: Locator;
      /** AC ID echoed. */
      acId: number;
    }
  | {
      /** Event kind. */
      type: "address-verified";
      /** When it happened (ms, the caller's clock). */
      t: Millis;
      /** The peer locator that answered with an ACR. */
      locator: Locator;
      /** Round-trip time of the AC/ACR (ms). */
      rtt: Millis;
    }
  /** An authenticated REA came from this listed address: data on source credit (policy `sourceCredit`). */
  | {
      /** Event kind. */
      type: "address-credited";
      /** When it happened (ms, the caller's clock). */
      t: Millis;
      /** The peer locator now credited. */
      locator: Locator;
    }
  | {
      /** Event kind. */
      type: "address-failed";
      /** When it happened (ms, the caller's clock). */
      t: Millis;
      /** The peer locator that failed. */
      locator: Locator;
      /** no ACR after every AC, no traffic heard, probe budget spent, or lifetime over. */
      reason: "no-acr" | "silent" | "budget" | "expired";
    }
  /** Every path to the peer failed (§3.3 failover found no alternative); probing goes on. */
  | {
      /** Event kind. */
      type: "peer-unreachable";
      /** When it happened (ms, the caller's clock). */
      t: Millis;
      /** Since the last authentic packet from the peer (ms). */
      silentMs: Millis;
    }
  /** The peer answered again after `peer-unreachable`. */
  | {
      /** Event kind. */
      type: "peer-reachable";
      /** When it happened (ms, the caller's clock). */
      t: Millis;
      /** How long it had been silent (ms). */
      silentMs: Millis;
    }
  /** Unreachable for `policy.peerDeadMs` while we sent: the association is given up. */
  | {
      /** Event kind. */
      type: "peer-dead";
      /** When it happened (ms, the caller's clock). */
      t: Millis;
      /** Since the last authentic packet from the peer (ms). */
      silentMs: Millis;
    }
  | {
      /** Event kind. */
      type: "path-changed";
      /** When it happened (ms, the caller's clock). */
      t: Millis;
      /** The new path (undefined: none). */
      path: Path | undefined;
      /** The path before. */
      previous: Path | undefined;
      /** Why the path changed (e.g. "base-exchange", "peer-rea", "failover:no-acr"). */
      reason: string;
    }
  | {
      /** Event kind. */
      type: "rejected";
      /** When it happened (ms, the caller's clock). */
      t: Millis;
      /** Why the packet was rejected. */
      reason: RejectReason;
      /** Where it came from. */
      from: Locator;
    }
  | {
      /** Event kind. */
      type: "esp-datagram";
      /** When it happened (ms, the caller's clock). */
      t: Millis;
      /** The ESP packet carried in the REA (§6.1.1). */
      data: Uint8Array;
      /** The peer locator it came from. */
      from: Locator;
      /** Our locator it arrived at. */
      to: Locator;
    };

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
  /** Times every path failed (peer-unreachable), came back (peer-reachable), was given up (peer-dead). */
  peerUnreachable: number;
  peerReachable: number;
  peerDead: number;
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
    peerUnreachable: 0,
    peerReachable: 0,
    peerDead: 0,
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
