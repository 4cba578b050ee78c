// FAD reasons (draft §4.4.1 "specifying the reason for denial", §6.3; PROFILE §2): NOTIFICATION
// message types of our own, from the private-use error range 8192-16383 (RFC 7401 §5.2.19
// follows IKEv2's split: 0-16383 errors, private use at the top of each range). Listed in
// docs/PROTOCOL.md §11.
/** FAD reason codes (draft §4.4.1, §6.3): NOTIFICATION types from the private error range 8192-16383. */
export const FadReason = {
  /** The FAQ could not be understood: FA_INFO missing or bad, HIT ≠ HOST_ID, bad values. */
  MALFORMED: 8192,
  /** Access control refuses this HIT (§4.4.1 "subject to local access control"). */
  DENIED: 8193,
  /** No free locator of the requested address type. */
  NO_ADDRESSES: 8194,
  /** The SPI space for shared IPv4 locators is exhausted. */
  NO_SPIS: 8195,
  /** SOLUTION wrong, expired or for another puzzle (§5.1). */
  BAD_PUZZLE: 8196,
  /** HIP_SIGNATURE does not verify with the HOST_ID. */
  BAD_SIGNATURE: 8197,
  /** Renewal or release of a lease the FA does not hold (expired, or the FA lost its state). */
  UNKNOWN_LEASE: 8198,
  /** The host already holds the maximum number of leases. */
  TOO_MANY_LEASES: 8199,
  /** The lease store failed (read-only file, disk full): nothing was granted or changed. */
  STORE_FAILED: 8200,
  /** The FA holds its maximum number of leases. */
  FA_FULL: 8201,
  /** Too many leases were created from this source address. */
  TOO_MANY_FROM_SOURCE: 8202,
} as const;
export type FadReason = (typeof FadReason)[keyof typeof FadReason];

const NAMES = new Map<number, string>(Object.entries(FadReason).map(([k, v]) => [v, k]));

/** Name of a FAD reason ("NO_SPIS"), or "NOTIFY_<n>" for anything else. */
export function fadReasonName(code: number): string {
  return NAMES.get(code) ?? `NOTIFY_${code}`;
}
