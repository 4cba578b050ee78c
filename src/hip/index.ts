// Public API of the HIP layer (layer 3). Node-only keyfile I/O lives in src/runtime/keyfile-node.ts,
// deliberately not re-exported here (browser / Worker bundles).
export { Association, type AssociationHost, type Retransmit } from "./association.ts";
export { computeMac, macEquals, rawPrefix, sig2Input, mac2Input, verifyMac, verifySignature, authenticate, type AuthSpec } from "./auth.ts";
export { computeKij, DH_P256, DH_P384, type DhKeyPair, dhPublicLength, generateDhKey, isSupportedDhGroup } from "./dh.ts";
export { compareHits, encode96, HIT_CONTEXT_ID, HIT_LEN, hitFromHostId, hitFromString, hitKey, hitSuiteOf, hitToString, isHit, isNullHit, NULL_HIT, orchid, orchidHash } from "./hit.ts";
export { HipHost } from "./host.ts";
export {
  CURVE_P256,
  CURVE_P384,
  type CurveName,
  EDDSA_CURVE_ED25519,
  HI_ECDSA,
  HI_EDDSA,
  HI_RSA,
  HIT_SUITE_ECDSA_SHA384,
  HIT_SUITE_RSA_SHA256,
  HIT_SUITE_EDDSA_CSHAKE128,
  HostIdentity,
  PeerIdentity,
  SUPPORTED_HIT_SUITES,
} from "./identity.ts";
export { decodeKeyfile, describeIdentity, encodeKeyfile, KEYFILE_FORMAT, KEYFILE_VERSION, type AlgorithmName, type KeyfileJson, type KeyfileResult } from "./keyfile.ts";
export { drawEspKeys, drawHipKeys, type EspKeys, type HipKeys, Keymat, rhashOf, sortHits } from "./keymat.ts";
export { HIP_LIMIT_NAMES, HIP_LIMITS, hipLimitProblem, type HipLimits, type ProbeWindow, type RateLimit, resolveLimits } from "./limits.ts";
export { PrefixLimiter, prefixKey, TokenBucket } from "./ratelimit.ts";
export { CUTEHIP_PROFILE, PEER_PROFILES, type PeerProfile, type PeerProfileConfig, profileFor, RFC_PROFILE } from "./profile.ts";
export { lowBitsZero, puzzleI, puzzleLifetimeMs, solvePuzzle, verifySolution } from "./puzzle.ts";
export { CIPHER_AES_128_CBC, CIPHER_AES_256_CBC, CIPHER_NULL, espSuiteKeys, hipCipherKeyLen, hipDecrypt, hipEncrypt } from "./suites.ts";
export { HIP_DEFAULTS, type HipEvent, type HipExtension, type HipHostConfig, type HipState, type RetransmitConfig } from "./types.ts";
export { UpdateExtension, type UpdateOptions } from "./update.ts";
