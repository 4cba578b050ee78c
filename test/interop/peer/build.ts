// Building signed / MACed packets (RFC 7401 §6.4.1, §6.4.2) for the interop peer.
import { u16 } from "./bytes.ts";
import { hipChecksum } from "./checksum.ts";
import { HI_ALG_ECDSA, type LocalId } from "./identity.ts";
import { buildPacket, P, parseTlvs } from "./packet.ts";
import { mac2Input, macInput, macParam, sig2Input, sigInput, withParam } from "./auth.ts";
import { signature } from "./params.ts";

export interface AuthSpec {
  mac?: { type: typeof P.HIP_MAC | typeof P.HIP_MAC_2; key: Uint8Array; hostIdTlv?: Uint8Array };
  sig: { type: typeof P.HIP_SIGNATURE | typeof P.HIP_SIGNATURE_2; id: LocalId };
}

export function buildAuthenticated(
  type: number,
  senderHit: Uint8Array,
  receiverHit: Uint8Array,
  params: Uint8Array[],
  auth: AuthSpec,
  addrs: { src: string; dst: string },
): Uint8Array {
  let pkt = buildPacket(type, senderHit, receiverHit, params);
  if (auth.mac) {
    const input = auth.mac.type === P.HIP_MAC_2 ? mac2Input(pkt, pkt.length, auth.mac.hostIdTlv!) : macInput(pkt, pkt.length);
    pkt = withParam(pkt, macParam(auth.mac.type, auth.mac.key, input));
  }
  const input = auth.sig.type === P.HIP_SIGNATURE_2 ? sig2Input(pkt, pkt.length, parseTlvs(pkt, [])) : sigInput(pkt, pkt.length);
  pkt = withParam(pkt, signature(auth.sig.type, HI_ALG_ECDSA, auth.sig.id.sign(input)));
  pkt.set(u16(hipChecksum(pkt, addrs.src, addrs.dst)), 4);
  return pkt;
}
