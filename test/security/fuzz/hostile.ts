// The authenticated malicious peer M: it holds real associations with A and B and sends
// well-formed, correctly MACed and signed packets with hostile content, built with its real keys
// (the association's HIP integrity key and host identity): REAs naming KEYMAT indices already
// used (the base-exchange SA's index among them), huge REA interface lists, REAs listing victims'
// addresses, AC floods (also from a spoofed victim source), unmatched ACRs, UPDATEs with reused
// KEYMAT indices (and new Diffie-Hellman values, good and bad), signed NOTIFYs, and CLOSE followed by a new base exchange.
import type { SeededRng } from "../../../src/core/rng.ts";
import type { Locator } from "../../../src/core/types.ts";
import { authenticate } from "../../../src/hip/auth.ts";
import type { Association } from "../../../src/hip/association.ts";
import { DH_P256, DH_P384, generateDhKey } from "../../../src/hip/dh.ts";
import { codecKeys } from "../../../src/mobility/extension.ts";
import { mobilityContext } from "../../../src/mobility/codec.ts";
import type { ReaInfo } from "../../../src/mobility/types.ts";
import { PacketType } from "../../../src/wire/constants.ts";
import { frameHip } from "../../../src/wire/framing.ts";
import { emitPacket } from "../../../src/wire/packet.ts";
import type { Param } from "../../../src/wire/params/index.ts";
import type { FuzzHost } from "./host.ts";
import { int, pick } from "./mutate.ts";
import { ADDR, L, type World } from "./world.ts";

export interface Datagram {
  from: Locator;
  to: Locator;
  data: Uint8Array;
  what: string;
}

const VICTIMS = [L("192.0.2.66"), L("192.0.2.67", 4000), L("198.51.100.9"), L("2001:db8:66::1"), ADDR.b, ADDR.fa, ADDR.a1, L("127.0.0.1"), L("10.0.6.6", 10501)];

export class Hostile {
  private reaId = 1_000;
  private updateId = 100;
  /** One DH public value per group, made once (the honest peer answers each with a fresh key of its own). */
  private readonly dhKeys: Record<number, Uint8Array> = {};

  constructor(private readonly w: World) {}

  private assoc(peer: FuzzHost): Association | undefined {
    const a = this.w.m.stack.host.association(peer.hit);
    return a?.keymat ? a : undefined;
  }

  /** KEYMAT indices already drawn (the base-exchange pair's among them) or overlapping a draw. */
  private base(_peer: FuzzHost, a: Association, r?: SeededRng): number {
    const len = a.pairLength() ?? 72;
    const drawn = a.keymatIndex;
    const k = r ? 1 + int(r, Math.max(1, Math.floor(drawn / len))) : 1;
    return Math.max(0, drawn - k * len);
  }

  /** An REA ID newer than M's last one (16-bit serial, draft §6.1.1.1); M's session moves on too. */
  private nextReaId(peer: FuzzHost): number {
    const s = this.w.m.stack.mobility?.session(peer.hit) as unknown as { reaId: number } | undefined;
    if (!s) return this.reaId++ & 0xffff;
    s.reaId = ((s.reaId + 1) & 0xffff) || 1;
    this.reaId = s.reaId;
    return s.reaId;
  }

  /** A hostile REA (signed): reused KEYMAT index, huge interface list, or victims' addresses. */
  rea(r: SeededRng, peer: FuzzHost, to: Locator, variant = int(r, 4)): Datagram | undefined {
    const a = this.assoc(peer);
    if (!a) return undefined;
    const ctx = mobilityContext({ ...codecKeys(a, () => ({ inbound: a.spiIn, outbound: a.spiOut })), framed: true, checksum: false });
    const infos: ReaInfo[] = [];
    const idx = () => pick(r, [this.base(peer, a, r), 0, 1, a.keymatIndex, Math.max(0, a.keymatIndex - 40), int(r, a.keymatIndex + 1), this.base(peer, a, r)]);
    const reaId = variant === 3 ? int(r, 0x10000) : this.nextReaId(peer);
    const count = variant === 1 ? 8 + int(r, 40) : 1 + int(r, 3);
    for (let i = 0; i < count; i++) {
      const addrs = variant === 1 ? 1 + int(r, 4) : 1;
      infos.push({
        interfaceId: variant === 1 ? 10 + i + int(r, 1000) * 50 : 1 + int(r, 4),
        currentSpiReverse: a.spiOut,
        currentSpi: a.spiIn,
        newSpi: pick(r, [a.spiIn, 256 + int(r, 1 << 20), r.nextU32() >>> 0]),
        keymatIndex: variant === 0 || int(r, 2) === 0 ? idx() : 0,
        reaId,
        addresses: Array.from({ length: addrs }, (_, k) => ({ locator: variant === 2 || k > 0 ? pick(r, VICTIMS) : ADDR.m, lifetime: pick(r, [0, 1, 30, 3600, 0xffffffff]), preferred: int(r, 2) === 0 })),
      });
    }
    try {
      return { from: ADDR.m, to, data: ctx.seal({ type: "REA", infos }, ADDR.m, to), what: `M:REA(v${variant},${count} itf)` };
    } catch {
      return undefined; // too large to emit: nothing to send
    }
  }

  /** AC (HMAC only, cheap): a flood, from M or from a spoofed victim source (reflection). */
  ac(r: SeededRng, peer: FuzzHost, to: Locator, acr = false): Datagram | undefined {
    const a = this.assoc(peer);
    if (!a) return undefined;
    const ctx = mobilityContext({ ...codecKeys(a, () => ({ inbound: a.spiIn, outbound: a.spiOut })), framed: true, checksum: false });
    const from = int(r, 3) === 0 ? pick(r, VICTIMS) : ADDR.m;
    const ac = { acId: r.nextU32() >>> 0, reaId: pick(r, [this.reaId, r.nextU32() & 0xffff, 0]), timestamp: r.nextU32() >>> 0 };
    return { from, to, data: ctx.seal(acr ? { type: "ACR", ac } : { type: "AC", ac }, from, to), what: acr ? "M:ACR" : "M:AC" };
  }

  /** UPDATE with ESP_INFO naming a used KEYMAT index (signed); one in three also brings a
   * DIFFIE_HELLMAN (RFC 7402 §6.10): a fresh key of the association's group, another group, or a
   * value off the curve; the honest peer answers a good one with a new KEYMAT that M never ACKs. */
  update(r: SeededRng, peer: FuzzHost, to: Locator): Datagram | undefined {
    const a = this.assoc(peer);
    if (!a) return undefined;
    const withDh = int(r, 3) === 0;
    // With DIFFIE_HELLMAN the index must be 0 (§6.9 step 1): mostly so, to reach the answer.
    const keymatIndex = withDh && int(r, 4) !== 0 ? 0 : pick(r, [this.base(peer, a, r), 0, a.keymatIndex, int(r, a.keymatIndex + 1)]);
    const params: Param[] = [
      { kind: "ESP_INFO" as const, keymatIndex, oldSpi: a.spiIn, newSpi: 256 + int(r, 1 << 24) },
      { kind: "SEQ" as const, updateId: pick(r, [this.updateId++, 0, int(r, 1 << 16)]) },
    ];
    let dh = "";
    if (withDh) {
      const variant = int(r, 3);
      const group = variant === 1 ? (a.dhGroup === DH_P256 ? DH_P384 : DH_P256) : a.dhGroup;
      this.dhKeys[group] ??= generateDhKey(r, group).publicValue;
      const publicValue = this.dhKeys[group].slice();
      if (variant === 2) publicValue[publicValue.length - 1] ^= 1;
      params.push({ kind: "DIFFIE_HELLMAN", groupId: group, publicValue });
      dh = ["+DH", "+DH(other group)", "+DH(off curve)"][variant];
    }
    const pkt = authenticate({ packetType: PacketType.UPDATE, controls: 0, senderHit: a.localHit, receiverHit: a.peerHit, params }, { hash: a.rhash, macKey: a.macKeyOut, signer: a.local });
    return { from: ADDR.m, to, data: frameHip(emitPacket(pkt)), what: `M:UPDATE(idx ${keymatIndex}${dh})` };
  }

  /** A signed NOTIFY (any type) to the peer. */
  notify(r: SeededRng, peer: FuzzHost, to: Locator): Datagram | undefined {
    const a = this.assoc(peer);
    if (!a) return undefined;
    const params = [{ kind: "NOTIFICATION" as const, notifyType: pick(r, [1, 7, 14, 16, 20, 24, 40, 42, 44, 70, 16384, 65535]), data: r.fill(new Uint8Array(int(r, 64))) }];
    const pkt = authenticate({ packetType: PacketType.NOTIFY, controls: 0, senderHit: a.localHit, receiverHit: a.peerHit, params }, { hash: a.rhash, signer: a.local });
    return { from: ADDR.m, to, data: frameHip(emitPacket(pkt)), what: "M:NOTIFY" };
  }
}

