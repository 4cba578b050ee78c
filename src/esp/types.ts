// Public types of the ESP data plane (RFC 4303 ESP in BEET mode, RFC 7402). See docs/PROTOCOL.md §6.

/** ESP transform suite IDs (RFC 7402 §5.1.2) supported by the data plane. */
export const EspSuite = {
  /** AES-128-CBC (RFC 3602) + HMAC-SHA1-96 (RFC 2404). */
  AES128_CBC_SHA1: 1,
  /** NULL encryption (RFC 2410) + HMAC-SHA-256-128 (RFC 4868). */
  NULL_SHA256: 7,
  /** AES-128-CBC + HMAC-SHA-256-128. */
  AES128_CBC_SHA256: 8,
  /** AES-256-CBC + HMAC-SHA-256-128. */
  AES256_CBC_SHA256: 9,
  /** AES-GCM with a 16-octet ICV (RFC 4106); AES-128 (or AES-256 with a 36-byte enc key). */
  AES_GCM16: 13,
} as const;
export type EspSuite = (typeof EspSuite)[keyof typeof EspSuite];

/** Per-packet result of seal/open. Never thrown: packets fail with a status. */
export const EspStatus = {
  /** The packet was sealed / opened. */
  Ok: 0,
  /** ICV / GCM tag did not verify (RFC 4303 §3.4.4). */
  AuthFailed: 1,
  /** Duplicate or older than the replay window (RFC 4303 §3.4.3). */
  Replay: 2,
  /** Too short, misaligned, bad pad length or padding bytes (RFC 4303 §2.4). */
  Malformed: 3,
  /** No inbound SA for the SPI. */
  UnknownSpi: 4,
  /** Outbound sequence number space exhausted: rekey the SA (RFC 4303 §3.3.3). */
  Rekey: 5,
  /** Unknown handle, or sealing with an inbound SA. */
  BadSa: 6,
  /** Packet does not fit the batch buffer (or payload > 65535 bytes). */
  NoSpace: 7,
} as const;
export type EspStatus = (typeof EspStatus)[keyof typeof EspStatus];

/** Short names of the statuses ("ok", "auth-failed", …) for logs and counters. */
export const espStatusName: Record<EspStatus, string> = {
  0: "ok",
  1: "auth-failed",
  2: "replay",
  3: "malformed",
  4: "unknown-spi",
  5: "rekey",
  6: "bad-sa",
  7: "no-space",
};

/** Parameters of one SA to install in the data plane. */
export interface SaParams {
  /** SPI (outbound: the peer's choice; inbound: ours). */
  spi: number;
  /** ESP suite. */
  suite: EspSuite;
  /** Cipher key; for AES-GCM the AES key followed by the 4-byte salt (RFC 4106 §8.1). Empty for NULL. */
  encKey: Uint8Array;
  /** HMAC key (20 bytes for suite 1, 32 for 7/8/9); empty for AES-GCM. */
  authKey: Uint8Array;
  /**
   * IV source (outbound). CBC: 16-byte key k' for IV = AES_k'(counter); absent → k' = AES_encKey(0^128).
   * GCM: first 8 bytes mask the 64-bit IV counter (IV = counter XOR mask).
   */
  ivSeed?: Uint8Array;
  /** Outbound (seal) or inbound (open). */
  direction: "in" | "out";
  /** Anti-replay window in packets (inbound), default 1024, max 4096. */
  replayWindow?: number;
  /** ICV length of an HMAC-SHA-256 suite (7, 8, 9): 16 (RFC 4868, default) or 32 (the full
   * HMAC, a peer-profile deviation, src/hip/profile.ts). */
  icvLen?: 16 | 32;
  /** Starting sequence number (outbound: last sent; inbound: highest seen). Default 0. For tests / resumption. */
  initialSeq?: number;
}

/** One packet to seal. */
export interface SealRequest {
  /** Handle of the outbound SA. */
  handle: number;
  /** Next Header of the payload (BEET inner protocol, e.g. 17 UDP, 58 ICMPv6). */
  nextHeader: number;
  /** The payload. */
  payload: Uint8Array;
}

/** The result of sealing one packet. */
export interface SealResult {
  /** Status (Ok, Rekey, BadSa, NoSpace …). */
  status: EspStatus;
  /** The full ESP packet (SPI, seq, IV, ciphertext, ICV); empty unless status is Ok. */
  packet: Uint8Array;
  /** Sequence number used. */
  seq: number;
  /** SPI of the SA. */
  spi: number;
}

/** The result of opening one ESP packet. */
export interface OpenResult {
  /** Status (Ok, AuthFailed, Replay, Malformed, UnknownSpi …). */
  status: EspStatus;
  /** SPI of the packet. */
  spi: number;
  /** Its sequence number. */
  seq: number;
  /** Handle of the inbound SA that matched the SPI (0 when none). */
  handle: number;
  /** Next Header of the payload. */
  nextHeader: number;
  /** Decrypted upper-layer payload; empty unless status is Ok. */
  payload: Uint8Array;
  /** The payload's Internet checksum sum (RFC 1071, folded, network order) when the data plane computed it. */
  payloadSum?: number;
}

/** Counters and state of one SA. */
export interface SaStats {
  /** SPI. */
  spi: number;
  /** ESP suite. */
  suite: EspSuite;
  /** Outbound or inbound. */
  direction: "in" | "out";
  /** Outbound: last sequence number sent. Inbound: highest authenticated (right edge of the window). */
  seq: number;
  /** Packets sealed / opened successfully. */
  packets: number;
  /** Bytes of those packets. */
  bytes: number;
  /** Packets whose ICV did not verify (inbound). */
  authFailures: number;
  /** Packets refused by the replay window (inbound). */
  replays: number;
  /** Malformed packets (inbound). */
  malformed: number;
  /** Seals refused because the sequence space ran out (outbound). */
  rekeys: number;
}

/** Key lengths (bytes) each suite takes from KEYMAT: enc key first, then auth key (RFC 7402 §7). */
export function espKeyLengths(suite: EspSuite): {
  /** Encryption key bytes (AES-GCM: key and salt). */
  enc: number;
  /** Authentication key bytes (0 for AES-GCM). */
  auth: number;
} {
  switch (suite) {
    case EspSuite.AES128_CBC_SHA1:
      return { enc: 16, auth: 20 };
    case EspSuite.NULL_SHA256:
      return { enc: 0, auth: 32 };
    case EspSuite.AES128_CBC_SHA256:
      return { enc: 16, auth: 32 };
    case EspSuite.AES256_CBC_SHA256:
      return { enc: 32, auth: 32 };
    case EspSuite.AES_GCM16:
      return { enc: 20, auth: 0 };
  }
  throw new RangeError(`unsupported ESP suite ${suite as number}`);
}
