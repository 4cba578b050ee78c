// Wire numbers: RFC 7401/7402 IANA registries and PROFILE.md §1-§2. docs/PROTOCOL.md §1.

/** IP protocol number of HIP (RFC 7401 §5.1.1 pseudo-header). */
export const IPPROTO_HIP = 139;
/** Next Header value carried in every HIP header: IPv6 "no next header" (RFC 7401 §5.1). */
export const NEXT_HEADER_NONE = 59;
/** HIP version this stack speaks (RFC 7401). */
export const HIP_VERSION = 2;
/** Fixed HIP header size: 8 bytes + two 16-byte HITs. */
export const HIP_HEADER_LEN = 40;
/** Header Length is 8 bits in 8-byte units excluding the first 8 bytes: max 2048 bytes. */
export const HIP_MAX_PACKET_LEN = (255 + 1) * 8;
/** Controls: the A (anonymous) bit (RFC 7401 §5.1.2). */
export const CONTROL_ANONYMOUS = 0x0001;

/** HIP packet types: RFC 7401 §5.3 plus the draft's packets as numbered in PROFILE §2. */
export const PacketType = {
  I1: 1,
  R1: 2,
  I2: 3,
  R2: 4,
  REA: 6,
  AC: 9,
  ACR: 10,
  FAQ: 11,
  FAA: 12,
  FAD: 13,
  UPDATE: 16,
  NOTIFY: 17,
  CLOSE: 18,
  CLOSE_ACK: 19,
} as const;
export type PacketType = (typeof PacketType)[keyof typeof PacketType];

/** Packet types where 128/129/130 mean REA_INFO/AC_INFO/FA_INFO (PROFILE §2). */
export function isMobilityPacket(packetType: number): boolean {
  return packetType === 6 || (packetType >= 9 && packetType <= 13);
}

/** Parameter types (RFC 7401 §5.2, RFC 7402 §5.1, PROFILE §1-§2, ESP_DATAGRAM: ours). */
export const ParamType = {
  ESP_INFO: 65,
  /** The draft's REA_INFO (§6.1.1.1): only in mobility/FA packets. */
  REA_INFO: 128,
  /** RFC 7401 R1_COUNTER; shares 129 with AC_INFO (context decides, PROFILE §2). */
  R1_COUNTER: 129,
  /** The draft's AC_INFO (§6.1.2.1): only in mobility/FA packets. */
  AC_INFO: 129,
  /** The draft's FA_INFO (§6.1.3.1): only in mobility/FA packets. */
  FA_INFO: 130,
  LOCATOR_SET: 193,
  PUZZLE: 257,
  SOLUTION: 321,
  SEQ: 385,
  ACK: 449,
  DH_GROUP_LIST: 511,
  DIFFIE_HELLMAN: 513,
  HIP_CIPHER: 579,
  ENCRYPTED: 641,
  HOST_ID: 705,
  HIT_SUITE_LIST: 715,
  CERT: 768,
  NOTIFICATION: 832,
  ECHO_REQUEST_SIGNED: 897,
  ECHO_RESPONSE_SIGNED: 961,
  TRANSPORT_FORMAT_LIST: 2049,
  ESP_TRANSFORM: 4095,
  /** Ours: the draft's optional ESP datagram inside an REA (§6.1.1). From the
   * experimental range 32768-49151 (RFC 7401 §5.2), even = non-critical. */
  ESP_DATAGRAM: 41448,
  HIP_MAC: 61505,
  HIP_MAC_2: 61569,
  HIP_SIGNATURE_2: 61633,
  HIP_SIGNATURE: 61697,
  ECHO_RESPONSE_UNSIGNED: 63425,
  ECHO_REQUEST_UNSIGNED: 63661,
  /** The draft's HMAC (§6.1.1.2): HMAC-SHA1, 20 bytes. */
  HMAC: 65532,
} as const;

/** Critical bit: bit 0 of the type (RFC 7401 §5.2.1). */
export function isCritical(type: number): boolean {
  return (type & 1) === 1;
}

/** HI algorithms (RFC 7401 §5.2.9, IANA "HI Algorithm"). */
export const HiAlgorithm = { DSA: 3, RSA: 5, ECDSA: 7, ECDSA_LOW: 9, EDDSA: 13 } as const;
/** ECC curves for HI algorithm ECDSA (RFC 7401 §5.2.9). */
export const EcdsaCurve = { NIST_P256: 1, NIST_P384: 2 } as const;
/** Curves for HI algorithm EdDSA. */
export const EddsaCurve = { ED25519: 1, ED448: 2 } as const;

/** DH Group IDs (RFC 7401 §5.2.7). */
export const DhGroup = {
  MODP_1536: 3,
  MODP_3072: 4,
  NIST_P256: 7,
  NIST_P384: 8,
  NIST_P521: 9,
  SECP160R1: 10,
  MODP_2048: 11,
} as const;

/** HIP_CIPHER IDs (RFC 7401 §5.2.8). */
export const HipCipher = { NULL: 1, AES_128_CBC: 2, AES_256_CBC: 4 } as const;

/** ESP transform suite IDs (RFC 7402 §5.1.2). */
export const EspSuite = {
  AES_128_CBC_HMAC_SHA1: 1,
  NULL_HMAC_SHA256: 7,
  AES_128_CBC_HMAC_SHA256: 8,
  AES_256_CBC_HMAC_SHA256: 9,
  AES_CCM_8: 10,
  AES_CCM_16: 11,
  AES_GCM_8: 12,
  AES_GCM_16: 13,
} as const;

/** HIT suite IDs (RFC 7401 §5.2.10); in HIT_SUITE_LIST they sit in the upper 4 bits. */
export const HitSuite = { RSA_DSA_SHA256: 1, ECDSA_SHA384: 2, ECDSA_LOW_SHA1: 3, EDDSA_CSHAKE128: 5 } as const;

/** HIP_SIGNATURE algorithm field uses the HI algorithm numbers (RFC 7401 §5.2.14). */
export const SignatureAlgorithm = HiAlgorithm;

/** DI-types of HOST_ID (RFC 7401 §5.2.9). */
export const DiType = { NONE: 0, FQDN: 1, NAI: 2 } as const;

/** NOTIFICATION message types (RFC 7401 §5.2.19, RFC 7402 §5.1.3). */
export const NotifyType = {
  UNSUPPORTED_CRITICAL_PARAMETER_TYPE: 1,
  INVALID_SYNTAX: 7,
  NO_DH_PROPOSAL_CHOSEN: 14,
  INVALID_DH_CHOSEN: 15,
  NO_HIP_PROPOSAL_CHOSEN: 16,
  INVALID_HIP_CIPHER_CHOSEN: 17,
  NO_ESP_PROPOSAL_CHOSEN: 18,
  INVALID_ESP_TRANSFORM_CHOSEN: 19,
  UNSUPPORTED_HIT_SUITE: 20,
  AUTHENTICATION_FAILED: 24,
  CHECKSUM_FAILED: 26,
  HIP_MAC_FAILED: 28,
  ENCRYPTION_FAILED: 32,
  INVALID_HIT: 40,
  BLOCKED_BY_POLICY: 42,
  RESPONDER_BUSY_PLEASE_RETRY: 44,
  I2_ACKNOWLEDGEMENT: 16384,
} as const;

/** LOCATOR_SET locator types (RFC 8046 §4). */
export const LocatorType = { IPV6: 0, ESP_SPI_IPV6: 1 } as const;
