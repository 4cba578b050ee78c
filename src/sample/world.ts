// The cast of the sample capture: an Initiator, a Responder and a Forwarding Agent with real
// ECDSA P-256 host identities, a real P-256 Diffie-Hellman exchange, a solved puzzle and the
// KEYMAT-derived HIP and ESP keys (RFC 7401 §6.5, RFC 7402 §7). Everything is derived from
// one seed, so the same seed gives byte-identical packets.
import { SeededRng } from "../core/rng.ts";
import { computeKij, DH_P256, type DhKeyPair, generateDhKey } from "../hip/dh.ts";
import { compareHits } from "../hip/hit.ts";
import { HostIdentity } from "../hip/identity.ts";
import { drawEspKeys, drawHipKeys, type EspKeys, type HipKeys, Keymat, rhashOf } from "../hip/keymat.ts";
import { puzzleI, solvePuzzle } from "../hip/puzzle.ts";
import { CIPHER_AES_128_CBC, espSuiteKeys } from "../hip/suites.ts";

export const DEFAULT_SAMPLE_SEED = 0x48495032; // "HIP2"
/** 2024-01-01T00:00:00Z: sample timestamps start here. */
export const SAMPLE_EPOCH_MS = 1_704_067_200_000;
/** HIT suite 2 (ECDSA/SHA-384) → RHASH SHA-384 (RFC 7401 §5.2.10). */
export const SAMPLE_RHASH = rhashOf(2)!;
/** Puzzle difficulty: small, so building the sample stays fast. */
export const SAMPLE_PUZZLE_K = 8;
/** ESP suite the association uses (RFC 7402 §5.1.2, 13 = AES-GCM-16). */
export const SAMPLE_ESP_SUITE = 13;

export interface SampleHost {
  readonly id: HostIdentity;
  readonly ip: string;
  /** Second locator (multi-homing / after a move). */
  readonly ip2: string;
  readonly ip6: string;
}

export interface SampleWorld {
  readonly seed: number;
  readonly rng: SeededRng;
  readonly initiator: SampleHost;
  readonly responder: SampleHost;
  readonly fa: SampleHost;
  readonly dhI: DhKeyPair;
  readonly dhR: DhKeyPair;
  readonly puzzle: { readonly i: Uint8Array; readonly j: Uint8Array; readonly k: number; readonly opaque: number };
  /** The association's KEYMAT (RFC 7401 §6.5) and whether HIT-I > HIT-R (Initiator is HOST_g). */
  readonly keymat: Keymat;
  readonly initiatorIsGreater: boolean;
  /** HIP keys seen from the Initiator (local = Initiator). */
  readonly hipKeysI: HipKeys;
  /** ESP keys seen from the Initiator (out = I→R). */
  readonly espKeysI: EspKeys;
  readonly spiI: number;
  readonly spiR: number;
}

export function sampleWorld(seed = DEFAULT_SAMPLE_SEED): SampleWorld {
  const rng = new SeededRng(seed);
  const initiator: SampleHost = { id: HostIdentity.generate(rng, "P-256"), ip: "192.0.2.10", ip2: "192.0.2.77", ip6: "2001:db8:1::10" };
  const responder: SampleHost = { id: HostIdentity.generate(rng, "P-256"), ip: "198.51.100.20", ip2: "198.51.100.21", ip6: "2001:db8:2::20" };
  const fa: SampleHost = { id: HostIdentity.generate(rng, "P-256"), ip: "203.0.113.5", ip2: "203.0.113.6", ip6: "2001:db8:fa::5" };
  const dhI = generateDhKey(rng, DH_P256);
  const dhR = generateDhKey(rng, DH_P256);
  const hitI = initiator.id.hit;
  const hitR = responder.id.hit;
  const i = puzzleI(SAMPLE_RHASH, rng.fill(new Uint8Array(32)), hitI, hitR);
  const j = solvePuzzle(SAMPLE_RHASH, rng, i, hitI, hitR, SAMPLE_PUZZLE_K)!;
  const kij = computeKij(dhI, dhR.publicValue)!;
  const km = new Keymat(SAMPLE_RHASH, kij, hitI, hitR, i, j);
  const iGreater = compareHits(hitI, hitR) > 0;
  const hipKeysI = drawHipKeys(km, 16, SAMPLE_RHASH.outputLen, iGreater); // HIP_CIPHER AES-128-CBC
  const suite = espSuiteKeys(SAMPLE_ESP_SUITE)!;
  const espKeysI = drawEspKeys(km, hipKeysI.espIndex, suite.encKeyLen, suite.authKeyLen, iGreater)!;
  const spiI = rng.nextU32() | 0x100; // SPIs 1-255 are reserved (RFC 4303 §2.1)
  const spiR = rng.nextU32() | 0x100;
  return {
    seed,
    rng,
    initiator,
    responder,
    fa,
    dhI,
    dhR,
    puzzle: { i, j, k: SAMPLE_PUZZLE_K, opaque: 0x5a17 },
    keymat: km,
    initiatorIsGreater: iGreater,
    hipKeysI,
    espKeysI,
    spiI: spiI >>> 0,
    spiR: spiR >>> 0,
  };
}

/** The HIP_CIPHER the sample I2 uses for ENCRYPTED { HOST_ID }. */
export const SAMPLE_HIP_CIPHER = CIPHER_AES_128_CBC;
