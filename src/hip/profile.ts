// Peer profiles: opt-in switches that make the base exchange and the data plane talk to a peer
// implementation that deviates from RFC 7401/7402 on the wire. Never a default: a profile applies
// only to the peers `HipHostConfig.peerProfile` names. Each switch is one documented deviation
// (docs/PROTOCOL.md §11.5); `CUTEHIP_PROFILE` covers those of cutehip commit cb397ab7 that block
// an exchange (harness README §3.5, ../shared/interop/cutehip).
import { ParamType } from "../wire/constants.ts";
import type { HipPacket } from "../wire/packet.ts";
import type { Association } from "./association.ts";
import { indexOfType, rawPrefix } from "./auth.ts";
import type { PeerIdentity } from "./identity.ts";
import type { SaParams } from "./sa.ts";

/** A peer profile: wire deviations of another implementation to follow (docs/PROTOCOL.md §11.5). */
export interface PeerProfile {
  /** Profile name ("rfc", "cutehip"). */
  readonly name: string;
  /** §3.5 1: the puzzle hash is RHASH(#I | HIT-R | HIT-I | #J) (RFC 7401 §4.1.2: HIT-I first). */
  readonly puzzleHitsSwapped: boolean;
  /** §3.5 2: I2 HIP_MAC and R2 HIP_MAC_2 use the other side's HIP key block (RFC 7401 §6.5:
   * the greater-HIT sender uses the first); UPDATE / CLOSE keep the RFC order. */
  readonly bexMacKeysSwapped: boolean;
  /** §3.5 3: R2 carries its signature as a HIP_SIGNATURE_2 TLV (61633) computed like
   * HIP_SIGNATURE (real Receiver's HIT, nothing zeroed); the peer drops an R2 without it. */
  readonly r2SignatureType2: boolean;
  /** §3.5 4: ESP ICV length (HMAC-SHA-256 suites 7/8/9): 32 = the untruncated HMAC (RFC 7402
   * §5.1.2 / RFC 4868: 16). */
  readonly espIcvLen?: 16 | 32;
  /** §3.5 4: the peer's NULL suite (7) carries an IV and block padding: do not use suite 7. */
  readonly noNullEsp: boolean;
  /** §3.5 5: KEYMAT IKM = Kij as a minimal-length integer (leading zero octets dropped). */
  readonly minimalKijIkm: boolean;
  /** §3.5 7: our R1's DH_GROUP_LIST holds only the group of its DIFFIE_HELLMAN (the peer, as
   * Initiator, takes the first of its own groups found in the list as the R1's group). */
  readonly r1SingleDhGroup: boolean;
  /** §3.5 8: the peer rebuilds signed / MACed bytes from a fixed parameter set: no R1_COUNTER
   * in R1, HOST_ID in clear in I2, no optional parameters. */
  readonly fixedParameterSets: boolean;
  /** §3.3: the peer's UPDATEs are heartbeats only (no ESP_INFO / LOCATOR): no rekeying and no
   * mobility (REA / AC probes) towards it. Applied by the runtime configuration. */
  readonly noUpdateExtensions: boolean;
  /** §3.3: the peer's ACK holds only the low byte of the Update ID it acknowledges (its
   * AckParameter shifts the other three out): an ACK of `id & 0xff` counts (our heartbeats). */
  readonly ackLowByte: boolean;
}

/** The RFC behaviour: every switch off. */
export const RFC_PROFILE: PeerProfile = {
  name: "rfc",
  puzzleHitsSwapped: false,
  bexMacKeysSwapped: false,
  r2SignatureType2: false,
  noNullEsp: false,
  minimalKijIkm: false,
  r1SingleDhGroup: false,
  fixedParameterSets: false,
  noUpdateExtensions: false,
  ackLowByte: false,
};

/** cutehip (github.com/dmitriykuptsov/cutehip, commit cb397ab7), unmodified. */
export const CUTEHIP_PROFILE: PeerProfile = {
  name: "cutehip",
  puzzleHitsSwapped: true,
  bexMacKeysSwapped: true,
  r2SignatureType2: true,
  espIcvLen: 32,
  noNullEsp: true,
  minimalKijIkm: true,
  r1SingleDhGroup: true,
  fixedParameterSets: true,
  noUpdateExtensions: true,
  ackLowByte: true,
};

/** True when ACK `ids` acknowledge our Update ID `id` (RFC 7401 §5.2.17; a profile's low-byte ACKs). */
export function acknowledges(ids: readonly number[], id: number, profile: PeerProfile | undefined): boolean {
  return ids.includes(id) || (profile?.ackLowByte === true && ids.includes(id & 0xff));
}

/** The profiles by name. */
export const PEER_PROFILES: Readonly<Record<string, PeerProfile>> = { rfc: RFC_PROFILE, cutehip: CUTEHIP_PROFILE };

/** `HipHostConfig.peerProfile`: one profile for every peer, or a choice per peer HIT. */
export type PeerProfileConfig = PeerProfile | ((peerHit: Uint8Array) => PeerProfile | undefined);

/** The profile for `peerHit` under `cfg`, if any. */
export function profileFor(cfg: PeerProfileConfig | undefined, peerHit: Uint8Array): PeerProfile | undefined {
  if (!cfg) return undefined;
  return typeof cfg === "function" ? cfg(peerHit) : cfg;
}

/** Puzzle hash inputs in the order the profile wants: [first HIT, second HIT]. */
export function puzzleHits(p: PeerProfile | undefined, hitI: Uint8Array, hitR: Uint8Array): [Uint8Array, Uint8Array] {
  return p?.puzzleHitsSwapped ? [hitR, hitI] : [hitI, hitR];
}

/** HIP_MAC key for an I2 / R2 we send, and the key to check one we receive. */
export function bexMacKeys(p: PeerProfile | undefined, a: Association): { out: Uint8Array; in: Uint8Array } {
  return p?.bexMacKeysSwapped ? { out: a.macKeyIn, in: a.macKeyOut } : { out: a.macKeyOut, in: a.macKeyIn };
}

/** Kij as the KEYMAT IKM. */
export function kijIkm(p: PeerProfile | undefined, kij: Uint8Array): Uint8Array {
  if (!p?.minimalKijIkm) return kij;
  let i = 0;
  while (i < kij.length - 1 && kij[i] === 0) i++;
  return kij.subarray(i);
}

/** R2 we send: its HIP_SIGNATURE retyped as HIP_SIGNATURE_2 (same signature bytes). */
export function r2ForProfile(p: PeerProfile | undefined, r2: HipPacket): HipPacket {
  if (!p?.r2SignatureType2) return r2;
  return { ...r2, params: r2.params.map((x) => (x.kind === "HIP_SIGNATURE" ? { ...x, kind: "HIP_SIGNATURE_2" as const } : x)) };
}

/** An R2 signed into a HIP_SIGNATURE_2 TLV the HIP_SIGNATURE way (only with the profile). */
export function verifyR2Signature2(p: PeerProfile | undefined, pkt: HipPacket, peer: PeerIdentity): boolean {
  if (!p?.r2SignatureType2) return false;
  const i = indexOfType(pkt, ParamType.HIP_SIGNATURE_2);
  if (i < 0) return false;
  const s = pkt.params[i] as { algorithm: number; signature: Uint8Array };
  return s.algorithm === peer.algorithm && peer.verify(rawPrefix(pkt, i), s.signature);
}

/** SAs of an association with this profile (ICV length). */
export function saForProfile(p: PeerProfile | undefined, sa: SaParams): SaParams {
  return p?.espIcvLen && p.espIcvLen !== 16 ? { ...sa, icvLen: p.espIcvLen } : sa;
}

/** ESP suites offered to / accepted from a peer with this profile. */
export function espSuitesFor(p: PeerProfile | undefined, suites: readonly number[]): number[] {
  return p?.noNullEsp ? suites.filter((s) => s !== 7) : [...suites];
}
