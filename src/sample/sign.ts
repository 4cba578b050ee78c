// Fills the authentication parameters of a sample packet in wire order, each over the bytes
// it covers: HIP_MAC (RFC 7401 §5.2.12), HIP_MAC_2 (§5.2.13, HOST_ID of the sender added
// virtually), HIP_SIGNATURE (§5.2.14), HIP_SIGNATURE_2 (§5.2.15, Receiver's HIT and PUZZLE
// #I / Opaque zeroed) and the draft's HMAC (HMAC-SHA1, PROFILE §2). Placeholders in
// `pkt.params` are replaced; earlier parameters must already be final.
import { hmac } from "@noble/hashes/hmac.js";
import { sha1 } from "@noble/hashes/legacy.js";
import type { HostIdentity } from "../hip/identity.ts";
import { emitPacketPrefix, type HipPacket, sortParams } from "../wire/packet.ts";
import type { HostIdParam, Param } from "../wire/params/index.ts";
import { SAMPLE_RHASH } from "./world.ts";

export interface SignKeys {
  /** Sender's HIP integrity key (HIP_MAC / HIP_MAC_2 / HMAC). */
  mac?: Uint8Array;
  signer?: HostIdentity;
}

export function hostIdParam(id: HostIdentity, fqdn = ""): HostIdParam {
  return { kind: "HOST_ID", algorithm: id.algorithm, hostIdentity: id.hostId, diType: fqdn ? 1 : 0, domainIdentifier: new TextEncoder().encode(fqdn) };
}

/** Placeholders: the right lengths, filled by `authenticate`. */
export const placeholder = {
  hipMac: (): Param => ({ kind: "HIP_MAC", mac: new Uint8Array(SAMPLE_RHASH.outputLen) }),
  hipMac2: (): Param => ({ kind: "HIP_MAC_2", mac: new Uint8Array(SAMPLE_RHASH.outputLen) }),
  signature: (id: HostIdentity): Param => ({ kind: "HIP_SIGNATURE", algorithm: id.algorithm, signature: new Uint8Array(id.signatureLength) }),
  signature2: (id: HostIdentity): Param => ({ kind: "HIP_SIGNATURE_2", algorithm: id.algorithm, signature: new Uint8Array(id.signatureLength) }),
  hmac: (): Param => ({ kind: "HMAC", hmac: new Uint8Array(20) }),
};

export function authenticate(pkt: HipPacket, keys: SignKeys): HipPacket {
  const params = pkt.params;
  for (let k = 0; k < params.length; k++) {
    const p = params[k];
    const cur: HipPacket = { ...pkt, params };
    switch (p.kind) {
      case "HIP_MAC":
        params[k] = { kind: "HIP_MAC", mac: hmac(SAMPLE_RHASH, need(keys.mac), emitPacketPrefix(cur, k)) };
        break;
      case "HIP_MAC_2": {
        const virtual = sortParams([...params.slice(0, k), hostIdParam(need(keys.signer))]);
        params[k] = { kind: "HIP_MAC_2", mac: hmac(SAMPLE_RHASH, need(keys.mac), emitPacketPrefix({ ...pkt, params: virtual }, virtual.length)) };
        break;
      }
      case "HIP_SIGNATURE":
        params[k] = { ...p, signature: need(keys.signer).sign(emitPacketPrefix(cur, k)) };
        break;
      case "HIP_SIGNATURE_2": {
        const zeroed = params.map((q) => (q.kind === "PUZZLE" ? { ...q, opaque: 0, randomI: new Uint8Array(q.randomI.length) } : q));
        const signed = emitPacketPrefix({ ...pkt, receiverHit: new Uint8Array(16), params: zeroed }, k);
        params[k] = { ...p, signature: need(keys.signer).sign(signed) };
        break;
      }
      case "HMAC":
        params[k] = { kind: "HMAC", hmac: hmac(sha1, need(keys.mac), emitPacketPrefix(cur, k)) };
        break;
    }
  }
  return pkt;
}

function need<T>(x: T | undefined): T {
  if (x === undefined) throw new Error("sample: missing key for an authentication parameter");
  return x;
}
