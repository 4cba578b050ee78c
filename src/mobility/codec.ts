// REA / AC / ACR packets on the wire (PROFILE §2, draft §6.1.1-§6.1.2): a MobilityContext
// built from the association's HITs, HIP integrity keys and signer. HMAC = HMAC-SHA1 (20 bytes)
// keyed with the sender's HIP integrity key over the packet up to the HMAC parameter, checksum
// zeroed; HIP_SIGNATURE (REA only) over the packet up to the signature (src/wire prefix rules).
import { hmac } from "../core/crypto/sym.ts";
import { sha1 } from "@noble/hashes/legacy.js";
import { ctEqual } from "../core/bytes.ts";
import type { Locator } from "../core/types.ts";
import { frameHip } from "../wire/framing.ts";
import { emitPacket, emitPacketPrefix, type HipPacket, packetOfView } from "../wire/packet.ts";
import { PacketType } from "../wire/constants.ts";
import type { Param } from "../wire/params/index.ts";
import { PacketView } from "../wire/view.ts";
import { type MobilityContext, type OpenResult, SIGNATURE_PENDING } from "./context.ts";
import type { MmMessage, ReaInfo } from "./types.ts";

export interface CodecKeys {
  localHit: Uint8Array;
  peerHit: Uint8Array;
  /** Our HIP integrity key (HIP-gl or HIP-lg, whichever we send with). */
  hmacKeyOut: Uint8Array;
  /** The peer's HIP integrity key. */
  hmacKeyIn: Uint8Array;
  /** HIP_SIGNATURE over `data` with our host identity; undefined while a crypto job makes it. */
  sign(data: Uint8Array): { algorithm: number; signature: Uint8Array } | undefined;
  /** Verifies the peer's HIP_SIGNATURE over `data`. */
  verifyPeer(data: Uint8Array, algorithm: number, signature: Uint8Array): boolean;
  spis(interfaceId?: number): { inbound: number; outbound: number; keymatIndex?: number };
  /** Prefix the RFC 5770 zero marker (default true): seal() output is a UDP payload. */
  framed?: boolean;
  /** Fill the checksum with the outer addresses (default true; 0 is accepted on receipt). */
  checksum?: boolean;
}

export function hmacSha1(key: Uint8Array, data: Uint8Array): Uint8Array {
  return hmac(sha1, key, data);
}

const TYPE: Record<MmMessage["type"], number> = { REA: PacketType.REA, AC: PacketType.AC, ACR: PacketType.ACR };

export function mobilityContext(k: CodecKeys): MobilityContext {
  const framed = k.framed ?? true;
  const withChecksum = k.checksum ?? true;
  return {
    spis: (id?: number) => k.spis(id),
    seal(msg: MmMessage, from: Locator, to: Locator): Uint8Array {
      const params: Param[] = [];
      if (msg.type === "REA") {
        for (const i of msg.infos) params.push(toWire(i));
        if (msg.espDatagram) params.push({ kind: "ESP_DATAGRAM", datagram: msg.espDatagram });
      } else params.push({ kind: "AC_INFO", acId: msg.ac.acId, reaId: msg.ac.reaId, rttTimestamp: msg.ac.timestamp });
      const pkt: HipPacket = { packetType: TYPE[msg.type], controls: 0, senderHit: k.localHit, receiverHit: k.peerHit, params };
      if (msg.type === "REA") {
        const s = k.sign(emitPacketPrefix(pkt, params.length));
        if (!s) return SIGNATURE_PENDING;
        params.push({ kind: "HIP_SIGNATURE", algorithm: s.algorithm, signature: s.signature });
      }
      params.push({ kind: "HMAC", hmac: hmacSha1(k.hmacKeyOut, emitPacketPrefix(pkt, params.length)) });
      const bytes = emitPacket(pkt, withChecksum ? { src: from.ip, dst: to.ip } : {});
      return framed ? frameHip(bytes) : bytes;
    },
    open(data: Uint8Array, from: Locator, to: Locator): OpenResult {
      const bytes = data.length >= 4 && data[0] === 0 && data[1] === 0 && data[2] === 0 && data[3] === 0 ? data.subarray(4) : data;
      const v = PacketView.parse(bytes, { src: from.ip, dst: to.ip, allowZeroChecksum: true });
      if (!v.ok) return { ok: false, reason: "malformed", detail: v.error.message };
      const t = v.value.packetType;
      if (t !== PacketType.REA && t !== PacketType.AC && t !== PacketType.ACR) return { ok: false, reason: "malformed", detail: `packet type ${t}` };
      if (!ctEqual(v.value.header.senderHit, k.peerHit) || !ctEqual(v.value.header.receiverHit, k.localHit)) return { ok: false, reason: "malformed", detail: "HITs" };
      const p = packetOfView(v.value); // parse once: the view's walk, no second parse
      if (!p.ok) return { ok: false, reason: "malformed", detail: p.error.message };
      const params = p.value.params;
      const last = params.length - 1;
      const mac = params[last];
      // HMAC first: it is cheap (§6.1.1 "allows the peer node to verify the packet very fast").
      if (last < 1 || mac.kind !== "HMAC") return { ok: false, reason: "malformed", detail: "HMAC missing or not last" };
      if (!ctEqual(hmacSha1(k.hmacKeyIn, v.value.prefix(last)), mac.hmac)) return { ok: false, reason: "bad-hmac" };
      if (t === PacketType.REA) return openRea(k, v.value, params);
      if (last !== 1 || params[0].kind !== "AC_INFO") return { ok: false, reason: "malformed", detail: "AC/ACR needs AC_INFO, HMAC" };
      const a = params[0];
      const ac = { acId: a.acId, reaId: a.reaId, timestamp: a.rttTimestamp };
      return { ok: true, msg: t === PacketType.AC ? { type: "AC", ac } : { type: "ACR", ac } };
    },
  };
}

function openRea(k: CodecKeys, v: PacketView, params: Param[]): OpenResult {
  const si = params.length - 2;
  const sig = params[si];
  if (si < 1 || sig.kind !== "HIP_SIGNATURE") return { ok: false, reason: "malformed", detail: "REA needs HIP_SIGNATURE before HMAC" };
  const infos: ReaInfo[] = [];
  let esp: Uint8Array | undefined;
  for (let i = 0; i < si; i++) {
    const p = params[i];
    if (p.kind === "REA_INFO") infos.push(fromWire(p));
    else if (p.kind === "ESP_DATAGRAM" && esp === undefined) esp = p.datagram;
    else if (p.kind === "UNKNOWN" && (p.type & 1) === 0) continue; // non-critical: ignored (RFC 7401 §5.2.1)
    else return { ok: false, reason: "malformed", detail: `unexpected ${p.kind} in REA` };
  }
  if (infos.length === 0) return { ok: false, reason: "malformed", detail: "REA without REA_INFO" };
  if (!k.verifyPeer(v.prefix(si), sig.algorithm, sig.signature)) return { ok: false, reason: "bad-signature" };
  return { ok: true, msg: { type: "REA", infos, ...(esp ? { espDatagram: esp } : {}) } };
}

function toWire(i: ReaInfo): Param {
  return {
    kind: "REA_INFO",
    interfaceId: i.interfaceId >>> 0,
    currentSpiReverse: i.currentSpiReverse,
    currentSpi: i.currentSpi,
    newSpi: i.newSpi,
    keymatIndex: i.keymatIndex,
    reaId: i.reaId,
    addresses: i.addresses.map((a) => ({ lifetime: a.lifetime, ip: a.locator.ip, port: a.locator.port, preferred: a.preferred })),
  };
}

function fromWire(p: Extract<Param, { kind: "REA_INFO" }>): ReaInfo {
  return {
    interfaceId: p.interfaceId,
    currentSpiReverse: p.currentSpiReverse,
    currentSpi: p.currentSpi,
    newSpi: p.newSpi,
    keymatIndex: p.keymatIndex,
    reaId: p.reaId,
    addresses: p.addresses.map((a) => ({ locator: { ip: a.ip, port: a.port }, lifetime: a.lifetime, preferred: a.preferred })),
  };
}
