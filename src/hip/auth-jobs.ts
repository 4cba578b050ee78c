// authenticate() / verifySignature() (auth.ts) split around a crypto job (crypto-jobs.ts): the
// HIP_SIGNATURE(_2) input of a received packet, and a packet's signature appended later.
import type { Millis } from "../core/types.ts";
import { ParamType } from "../wire/constants.ts";
import { emitPacketPrefix, type HipPacket } from "../wire/packet.ts";
import { type AuthSpec, authenticate, indexOfType, rawPrefix, sig2Input } from "./auth.ts";
import type { CryptoJobs } from "./crypto-jobs.ts";
import type { HostIdentity, PeerIdentity } from "./identity.ts";

/** Input and value of the received HIP_SIGNATURE (or _2, §6.4.2); undefined when absent or of
 * another algorithm than the peer's HI (verifySignature's false). */
export function receivedSignature(pkt: HipPacket, peer: PeerIdentity, sig2 = false): { data: Uint8Array; signature: Uint8Array } | undefined {
  const i = indexOfType(pkt, sig2 ? ParamType.HIP_SIGNATURE_2 : ParamType.HIP_SIGNATURE);
  if (i < 0) return undefined;
  const p = pkt.params[i] as { algorithm: number; signature: Uint8Array };
  if (p.algorithm !== peer.algorithm) return undefined;
  const prefix = rawPrefix(pkt, i);
  return { data: sig2 ? sig2Input(prefix) : prefix, signature: p.signature };
}

/** What HIP_SIGNATURE(_2) of `pkt` (params complete up to it, HIP_MAC included) signs. */
export function signatureInput(pkt: HipPacket, sig2 = false): Uint8Array {
  const input = emitPacketPrefix(pkt, pkt.params.length);
  return sig2 ? sig2Input(input) : input;
}

/** `pkt` with its HIP_SIGNATURE(_2) appended. */
export function withSignature(pkt: HipPacket, algorithm: number, signature: Uint8Array, sig2 = false): HipPacket {
  return { ...pkt, params: [...pkt.params, { kind: sig2 ? "HIP_SIGNATURE_2" : "HIP_SIGNATURE", algorithm, signature }] };
}

/** authenticate() (HIP_MAC, then HIP_SIGNATURE by `signer`) with the signature made by
 * `crypto.signThen`: inline, or a crypto job on an asynchronous provider. `done` gets the
 * complete packet (at once inline). */
export function authenticateThen(
  crypto: CryptoJobs, now: Millis, pkt: HipPacket, spec: Omit<AuthSpec, "signer" | "sig2">, signer: HostIdentity, done: (now: Millis, pkt: HipPacket) => void,
): void {
  const maced = authenticate(pkt, spec);
  crypto.signThen(now, signer, signatureInput(maced), (now, signature) => done(now, withSignature(maced, signer.algorithm, signature)));
}

/** verifySignature() (HIP_SIGNATURE) by `crypto.verifyThen`. False when the job was refused
 * (too many in flight): `resume` is not called and the caller drops the packet. */
export function verifySignatureThen(crypto: CryptoJobs, now: Millis, pkt: HipPacket, peer: PeerIdentity, resume: (now: Millis, valid: boolean) => void): boolean {
  const sig = receivedSignature(pkt, peer);
  if (!sig) {
    resume(now, false);
    return true;
  }
  return crypto.verifyThen(now, peer, sig.data, sig.signature, resume);
}
