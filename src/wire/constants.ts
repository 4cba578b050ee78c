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
  /** I1: the Initiator's trigger (RFC 7401 §5.3.1). */
  I1: 1,
  /** R1: the Responder's puzzle and DH offer (RFC 7401 §5.3.2). */
  R1: 2,
  /** I2: the Initiator's solution and keys (RFC 7401 §5.3.3). */
  I2: 3,
  /** R2: the Responder's confirmation (RFC 7401 §5.3.4). */
  R2: 4,
  /** REA: readdress (draft-nikander-hip-mm-00 §6.1.1; number per PROFILE §2). */
  REA: 6,
  /** AC: address check (draft §6.1.2). */
  AC: 9,
  /** ACR: address check reply (draft §6.1.2). */
  ACR: 10,
  /** FAQ: forwarding agent query, a lease request (draft §6.1.3). */
  FAQ: 11,
  /** FAA: forwarding agent acknowledgement, a lease grant (draft §6.1.3). */
  FAA: 12,
  /** FAD: forwarding agent denial (draft §6.1.3). */
  FAD: 13,
  /** UPDATE (RFC 7401 §5.3.5). */
  UPDATE: 16,
  /** NOTIFY (RFC 7401 §5.3.6). */
  NOTIFY: 17,
  /** CLOSE (RFC 7401 §5.3.7). */
  CLOSE: 18,
  /** CLOSE_ACK (RFC 7401 §5.3.8). */
  CLOSE_ACK: 19,
} as const;
export type PacketType = (typeof PacketType)[keyof typeof PacketType];

/** Packet types where 128/129/130 mean REA_INFO/AC_INFO/FA_INFO (PROFILE §2). */
export function isMobilityPacket(packetType: number): boolean {
  return packetType === 6 || (packetType >= 9 && packetType <= 13);
}

/** Parameter types (RFC 7401 §5.2, RFC 7402 §5.1, PROFILE §1-§2, ESP_DATAGRAM: ours). */
export const ParamType = {
  /** ESP_INFO: SPIs and keymat index (RFC 7402 §5.1.1). */
  ESP_INFO: 65,
  /** The draft's REA_INFO (§6.1.1.1): only in mobility/FA packets. */
  REA_INFO: 128,
  /** RFC 7401 R1_COUNTER; shares 129 with AC_INFO (context decides, PROFILE §2). */
  R1_COUNTER: 129,
  /** The draft's AC_INFO (§6.1.2.1): only in mobility/FA packets. */
  AC_INFO: 129,
  /** The draft's FA_INFO (§6.1.3.1): only in mobility/FA packets. */
  FA_INFO: 130,
  /** LOCATOR_SET (RFC 8046 §4). */
  LOCATOR_SET: 193,
  /** PUZZLE (RFC 7401 §5.2.4). */
  PUZZLE: 257,
  /** SOLUTION (RFC 7401 §5.2.5). */
  SOLUTION: 321,
  /** SEQ: UPDATE sequence number (RFC 7401 §5.2.16). */
  SEQ: 385,
  /** ACK: acknowledged UPDATE IDs (RFC 7401 §5.2.17). */
  ACK: 449,
  /** DH_GROUP_LIST (RFC 7401 §5.2.6). */
  DH_GROUP_LIST: 511,
  /** DIFFIE_HELLMAN: a public DH value (RFC 7401 §5.2.7). */
  DIFFIE_HELLMAN: 513,
  /** HIP_CIPHER (RFC 7401 §5.2.8). */
  HIP_CIPHER: 579,
  /** ENCRYPTED (RFC 7401 §5.2.18). */
  ENCRYPTED: 641,
  /** HOST_ID (RFC 7401 §5.2.9). */
  HOST_ID: 705,
  /** HIT_SUITE_LIST (RFC 7401 §5.2.10). */
  HIT_SUITE_LIST: 715,
  /** CERT (RFC 8002). */
  CERT: 768,
  /** NOTIFICATION (RFC 7401 §5.2.19). */
  NOTIFICATION: 832,
  /** ECHO_REQUEST_SIGNED (RFC 7401 §5.2.20). */
  ECHO_REQUEST_SIGNED: 897,
  /** ECHO_RESPONSE_SIGNED (RFC 7401 §5.2.22). */
  ECHO_RESPONSE_SIGNED: 961,
  /** TRANSPORT_FORMAT_LIST (RFC 7401 §5.2.11). */
  TRANSPORT_FORMAT_LIST: 2049,
  /** ESP_TRANSFORM (RFC 7402 §5.1.2). */
  ESP_TRANSFORM: 4095,
  /** Ours: the draft's optional ESP datagram inside an REA (§6.1.1). From the
   * experimental range 32768-49151 (RFC 7401 §5.2), even = non-critical. */
  ESP_DATAGRAM: 41448,
  /** HIP_MAC (RFC 7401 §5.2.12). */
  HIP_MAC: 61505,
  /** HIP_MAC_2: MAC including the sender's HOST_ID (RFC 7401 §5.2.13). */
  HIP_MAC_2: 61569,
  /** HIP_SIGNATURE_2: the R1 signature (RFC 7401 §5.2.15). */
  HIP_SIGNATURE_2: 61633,
  /** HIP_SIGNATURE (RFC 7401 §5.2.14). */
  HIP_SIGNATURE: 61697,
  /** ECHO_RESPONSE_UNSIGNED (RFC 7401 §5.2.23). */
  ECHO_RESPONSE_UNSIGNED: 63425,
  /** ECHO_REQUEST_UNSIGNED (RFC 7401 §5.2.21). */
  ECHO_REQUEST_UNSIGNED: 63661,
  /** The draft's HMAC (§6.1.1.2): HMAC-SHA1, 20 bytes. */
  HMAC: 65532,
} as const;

/** Critical bit: bit 0 of the type (RFC 7401 §5.2.1). */
export function isCritical(type: number): boolean {
  return (type & 1) === 1;
}

/** HI algorithms (RFC 7401 §5.2.9, IANA "HI Algorithm"). */
export const HiAlgorithm = {
  /** DSA (RFC 7401 §5.2.9; not supported here). */
  DSA: 3,
  /** RSA (RFC 3110 key format). */
  RSA: 5,
  /** ECDSA on NIST P-256 / P-384. */
  ECDSA: 7,
  /** ECDSA on SECP160R1 (not supported here). */
  ECDSA_LOW: 9,
  /** EdDSA (Ed25519). */
  EDDSA: 13,
} as const;
/** ECC curves for HI algorithm ECDSA (RFC 7401 §5.2.9). */
export const EcdsaCurve = {
  /** NIST P-256. */
  NIST_P256: 1,
  /** NIST P-384. */
  NIST_P384: 2,
} as const;
/** Curves for HI algorithm EdDSA. */
export const EddsaCurve = {
  /** Ed25519. */
  ED25519: 1,
  /** Ed448 (not supported here). */
  ED448: 2,
} as const;

/** DH Group IDs (RFC 7401 §5.2.7). */
export const DhGroup = {
  /** 1536-bit MODP group. */
  MODP_1536: 3,
  /** 3072-bit MODP group. */
  MODP_3072: 4,
  /** NIST P-256 ECDH. */
  NIST_P256: 7,
  /** NIST P-384 ECDH. */
  NIST_P384: 8,
  /** NIST P-521 ECDH. */
  NIST_P521: 9,
  /** SECP160R1 ECDH. */
  SECP160R1: 10,
  /** 2048-bit MODP group. */
  MODP_2048: 11,
} as const;

/** HIP_CIPHER IDs (RFC 7401 §5.2.8). */
export const HipCipher = {
  /** no encryption (HIP parameters in clear). */
  NULL: 1,
  /** AES-128-CBC. */
  AES_128_CBC: 2,
  /** AES-256-CBC. */
  AES_256_CBC: 4,
} as const;

/** ESP transform suite IDs (RFC 7402 §5.1.2). */
export const EspSuite = {
  /** AES-128-CBC with HMAC-SHA-1-96. */
  AES_128_CBC_HMAC_SHA1: 1,
  /** NULL encryption with HMAC-SHA-256-128. */
  NULL_HMAC_SHA256: 7,
  /** AES-128-CBC with HMAC-SHA-256-128. */
  AES_128_CBC_HMAC_SHA256: 8,
  /** AES-256-CBC with HMAC-SHA-256-128. */
  AES_256_CBC_HMAC_SHA256: 9,
  /** AES-CCM with an 8-byte ICV. */
  AES_CCM_8: 10,
  /** AES-CCM with a 16-byte ICV. */
  AES_CCM_16: 11,
  /** AES-GCM with an 8-byte ICV. */
  AES_GCM_8: 12,
  /** AES-GCM with a 16-byte ICV. */
  AES_GCM_16: 13,
} as const;

/** HIT suite IDs (RFC 7401 §5.2.10); in HIT_SUITE_LIST they sit in the upper 4 bits. */
export const HitSuite = {
  /** RSA/DSA HIs, SHA-256 (ORCHIDv2 OGA 1). */
  RSA_DSA_SHA256: 1,
  /** ECDSA HIs, SHA-384 (OGA 2). */
  ECDSA_SHA384: 2,
  /** ECDSA_LOW HIs, SHA-1 (OGA 3). */
  ECDSA_LOW_SHA1: 3,
  /** EdDSA HIs, cSHAKE128 (RFC 9374, OGA 5). */
  EDDSA_CSHAKE128: 5,
} as const;

/** HIP_SIGNATURE algorithm field uses the HI algorithm numbers (RFC 7401 §5.2.14). */
export const SignatureAlgorithm = HiAlgorithm;

/** DI-types of HOST_ID (RFC 7401 §5.2.9). */
export const DiType = {
  /** no domain identifier. */
  NONE: 0,
  /** a fully qualified domain name. */
  FQDN: 1,
  /** a network access identifier. */
  NAI: 2,
} as const;

/** NOTIFICATION message types (RFC 7401 §5.2.19, RFC 7402 §5.1.3). */
export const NotifyType = {
  /** A critical parameter was not understood. */
  UNSUPPORTED_CRITICAL_PARAMETER_TYPE: 1,
  /** A packet or parameter is malformed. */
  INVALID_SYNTAX: 7,
  /** No acceptable DH group offered. */
  NO_DH_PROPOSAL_CHOSEN: 14,
  /** The chosen DH group was not offered. */
  INVALID_DH_CHOSEN: 15,
  /** No acceptable HIP cipher offered. */
  NO_HIP_PROPOSAL_CHOSEN: 16,
  /** The chosen HIP cipher was not offered. */
  INVALID_HIP_CIPHER_CHOSEN: 17,
  /** No acceptable ESP transform offered (RFC 7402 §5.1.3). */
  NO_ESP_PROPOSAL_CHOSEN: 18,
  /** The chosen ESP transform was not offered (RFC 7402 §5.1.3). */
  INVALID_ESP_TRANSFORM_CHOSEN: 19,
  /** The HIT suite is not supported. */
  UNSUPPORTED_HIT_SUITE: 20,
  /** Signature or MAC verification failed. */
  AUTHENTICATION_FAILED: 24,
  /** The HIP checksum is wrong. */
  CHECKSUM_FAILED: 26,
  /** HIP_MAC verification failed. */
  HIP_MAC_FAILED: 28,
  /** Decrypting ENCRYPTED failed. */
  ENCRYPTION_FAILED: 32,
  /** The HIT does not match the HI. */
  INVALID_HIT: 40,
  /** The peer refuses by local policy. */
  BLOCKED_BY_POLICY: 42,
  /** The Responder is busy; retry later. */
  RESPONDER_BUSY_PLEASE_RETRY: 44,
  /** Informational: the I2 arrived and is being processed. */
  I2_ACKNOWLEDGEMENT: 16384,
} as const;

/** LOCATOR_SET locator types (RFC 8046 §4). */
export const LocatorType = {
  /** a plain IPv6 (or IPv4-mapped) address. */
  IPV6: 0,
  /** an ESP SPI followed by the IPv6 address. */
  ESP_SPI_IPV6: 1,
} as const;
