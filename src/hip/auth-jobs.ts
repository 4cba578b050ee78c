// authenticate() / verifySignature() (auth.ts) split around a crypto job (crypto-jobs.ts): the
// HIP_SIGNATURE(_2) input of a received packet, and a packet's signature appended later.
import { ParamType } from "../wire/constants.ts";
import { emitPacketPrefix, type HipPacket } from "../wire/packet.ts";
import { indexOfType, rawPrefix, sig2Input } from "./auth.ts";
import type { PeerIdentity } from "./identity.ts";

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
