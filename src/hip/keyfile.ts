// Keyfile encoding (pure; file I/O lives in src/runtime/keyfile-node.ts). Format, documented in
// docs/PROTOCOL.md §7: one JSON object
//   { "format": "hipmm-host-identity", "version": 1, "algorithm": "ECDSA" | "EdDSA" | "RSA",
//     "algorithmId": 7 | 13 | 5, "curve": "P-256" | "P-384" | "Ed25519" | "RSA", "curveId": 1 | 2 | 1 | 0,
//     "privateKey": hex (ECDSA scalar / Ed25519 32-byte seed / RSA fields, src/hip/rsa.ts),
//     "publicKey": hex (x|y / 32 bytes / RFC 3110 key),
//     "hostId": hex (RFC 7401 §5.2.9 / RFC 9374 §3.4.1.1 Host Identity field), "hit": "2001:2x:..." }
// On load the public key, Host Identity and HIT are recomputed from the private key and
// must match what the file says; ECDSA files written before the 0x04 Host Identity form
// (docs/PROTOCOL.md §11) still load, with the HIT of the form now sent.
import { concat, equalBytes, fromHex, hex } from "../core/bytes.ts";
import { hitFromHostId, hitToString } from "./hit.ts";
import { type CurveName, HI_ECDSA, HI_EDDSA, HI_RSA, HostIdentity } from "./identity.ts";

/** Keyfile `format` value. */
export const KEYFILE_FORMAT = "hipmm-host-identity";
/** Keyfile `version` value. */
export const KEYFILE_VERSION = 1;

/** The keyfile JSON (written by `hipmm keygen`, {@link encodeKeyfile}). */
export interface KeyfileJson {
  /** Always {@link KEYFILE_FORMAT}. */
  format: typeof KEYFILE_FORMAT;
  /** Always {@link KEYFILE_VERSION}. */
  version: number;
  /** HI algorithm name. */
  algorithm: AlgorithmName;
  /** HI algorithm number (RFC 7401 §5.2.9). */
  algorithmId: number;
  /** Curve name. */
  curve: CurveName;
  /** Curve label of the HI (ECDSA: 1 P-256, 2 P-384; EdDSA: 1 Ed25519; RSA: 0). */
  curveId: number;
  /** Private key (hex). Secret. */
  privateKey: string;
  /** Public key (hex). */
  publicKey: string;
  /** Host Identity as in HOST_ID (hex). */
  hostId: string;
  /** HIT (text). */
  hit: string;
}

/** HI algorithm names used in keyfiles. */
export type AlgorithmName = "ECDSA" | "EdDSA" | "RSA";

/** Curve → HI algorithm (name and RFC 7401 / RFC 9374 number). */
const ALGORITHMS: Record<CurveName, { name: AlgorithmName; id: number }> = {
  "P-256": { name: "ECDSA", id: HI_ECDSA },
  "P-384": { name: "ECDSA", id: HI_ECDSA },
  Ed25519: { name: "EdDSA", id: HI_EDDSA },
  RSA: { name: "RSA", id: HI_RSA },
};

/** Result of {@link decodeKeyfile}. */
export type KeyfileResult =
  | {
      /** Success. */
      ok: true;
      /** The identity loaded. */
      identity: HostIdentity;
    }
  | {
      /** Failure. */
      ok: false;
      /** Why the keyfile was refused. */
      error: string;
    };

/** Serialize an identity (including its private key) to keyfile text. */
export function encodeKeyfile(id: HostIdentity): string {
  const json: KeyfileJson = {
    format: KEYFILE_FORMAT,
    version: KEYFILE_VERSION,
    algorithm: ALGORITHMS[id.curveName].name,
    algorithmId: id.algorithm,
    curve: id.curveName,
    curveId: id.curve,
    privateKey: hex(id.exportSecretKey()),
    publicKey: hex(id.publicKey),
    hostId: hex(id.hostId),
    hit: hitToString(id.hit),
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}

/** Parse keyfile text; checks that every derived field matches the private key. */
export function decodeKeyfile(text: string): KeyfileResult {
  let j: Partial<KeyfileJson>;
  try {
    j = JSON.parse(text) as Partial<KeyfileJson>;
  } catch {
    return { ok: false, error: "keyfile is not JSON" };
  }
  if (j === null || typeof j !== "object" || j.format !== KEYFILE_FORMAT) return { ok: false, error: "not a hipmm host identity keyfile" };
  if (j.version !== KEYFILE_VERSION) return { ok: false, error: `unsupported keyfile version ${j.version}` };
  const alg = typeof j.curve === "string" && Object.hasOwn(ALGORITHMS, j.curve) ? ALGORITHMS[j.curve as CurveName] : undefined;
  if (!alg) return { ok: false, error: "unsupported curve" };
  if (j.algorithmId !== alg.id || j.algorithm !== alg.name) return { ok: false, error: "unsupported HI algorithm" };
  const secret = typeof j.privateKey === "string" ? fromHex(j.privateKey) : undefined;
  if (!secret) return { ok: false, error: "privateKey is not hex" };
  const id = HostIdentity.fromSecretKey(secret, j.curve as CurveName);
  secret.fill(0);
  if (!id) return { ok: false, error: "invalid private key for curve" };
  if (j.curveId !== undefined && j.curveId !== id.curve) return { ok: false, error: "curveId does not match curve" };
  const pub = typeof j.publicKey === "string" ? fromHex(j.publicKey) : undefined;
  if (pub && !equalBytes(pub, id.publicKey)) return { ok: false, error: "publicKey does not match privateKey" };
  const hostId = typeof j.hostId === "string" ? fromHex(j.hostId) : undefined;
  // Pre-0x04 ECDSA files: curve | x | y and its HIT.
  const legacy = id.algorithm === HI_ECDSA ? concat(id.hostId.subarray(0, 2), id.publicKey) : undefined;
  const isLegacy = !!hostId && !!legacy && equalBytes(hostId, legacy);
  if (hostId && !isLegacy && !equalBytes(hostId, id.hostId)) return { ok: false, error: "hostId does not match privateKey" };
  const hits = [hitToString(id.hit), ...(legacy ? [hitToString(hitFromHostId(id.hitSuite, legacy)!)] : [])];
  if (j.hit !== undefined && !hits.includes(j.hit)) return { ok: false, error: "hit does not match privateKey" };
  return { ok: true, identity: id };
}

/** Human-readable summary without secrets (for `hipmm id show`). */
export function describeIdentity(id: HostIdentity): string {
  return [
    `HIT:        ${hitToString(id.hit)}`,
    id.algorithm === HI_RSA
      ? `algorithm:  RSA (${id.algorithm}), ${id.signatureLength * 8} bit`
      : `algorithm:  ${ALGORITHMS[id.curveName].name} (${id.algorithm}), curve ${id.curveName} (${id.curve})`,
    `HIT suite:  ${id.hitSuite} (${id.hitSuite === 5 ? "EdDSA/cSHAKE128" : id.hitSuite === 1 ? "RSA,DSA/SHA-256" : "ECDSA/SHA-384"})`,
    `public key: ${hex(id.publicKey)}`,
  ].join("\n");
}
