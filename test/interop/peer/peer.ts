/**
 * InteropPeer: a second, independent, minimal HIPv2 host (RFC 7401 + RFC 7402 ESP) written for
 * interop tests straight from the RFC texts. It imports nothing from src/.
 * Sans-I/O: `i1(to, peerHit?)` starts an exchange as Initiator; `handle(datagram, from)` consumes a
 * UDP/10500 payload (zero marker + HIP packet) and returns the replies; `seal`/`open` run ESP
 * (BEET: payload = UDP header + data, next header 17) once the SAs exist.
 * Every rule the peer checks on what it receives is recorded in `violations` as
 * "<packet>: <problem> (<RFC section>)" instead of being thrown.
 */
import { randomBytes } from "node:crypto";
import { equal, isZero, rd32 } from "./bytes.ts";
import { hipChecksum } from "./checksum.ts";
import { type EspSa, drawEspKeys, open, seal, udpChecksumOk, udpSegment } from "./esp.ts";
import { LocalId, type PeerId } from "./identity.ts";
import { type DhKey, keymat } from "./kex.ts";
import { HDR_LEN, type Header, PARAM_NAME, PT, parseHeader, parseTlvs, type Tlv, buildPacket, frame, isHipDatagram } from "./packet.ts";
import { handleI1, handleI2 } from "./responder.ts";
import { handleR1, handleR2, buildI1 } from "./initiator.ts";

export interface Loc {
  ip: string;
  port: number;
}
export interface Datagram {
  to: Loc;
  data: Uint8Array;
}

export interface PeerOptions {
  locator: Loc;
  id?: LocalId;
  /** DH groups in preference order (I1 list as Initiator, R1 list as Responder). */
  dhGroups?: number[];
  hipCiphers?: number[];
  espSuites?: number[];
  puzzleK?: number;
  puzzleOpaque?: number;
  /** R1_COUNTER to put in R1 (undefined: none). */
  r1Counter?: bigint;
  encryptHostId?: boolean;
  /** HIP checksum required on received packets: "zero" (RFC 5770 §5.1 / RFC 9028 §5.1,
   * HIP over UDP), "pseudo" (RFC 7401 §5.1.1 sum over the outer addresses) or "any" (either; default). */
  expectChecksum?: "zero" | "pseudo" | "any";
}

export const HIP_CIPHER_KEY: Record<number, number> = { 1: 0, 2: 16, 4: 32 };
export const INTEGRITY_KEY_LEN = 48; // HMAC-SHA-384 (HIT suite 2 RHASH), RFC 7401 §6.5

export interface Assoc {
  peerHit: Uint8Array;
  peerLoc: Loc;
  peerId?: PeerId;
  state: "I1-SENT" | "I2-SENT" | "R2-SENT" | "ESTABLISHED";
  dh?: DhKey;
  i?: Uint8Array;
  j?: Uint8Array;
  k?: number;
  r1Counter?: Uint8Array;
  /** The I1 DH_GROUP_LIST we sent (downgrade check, RFC 7401 §6.8). */
  i1Groups?: number[];
  cipher?: number;
  suite?: number;
  keymat?: Uint8Array;
  hipKeysLen?: number;
  myEnc?: Uint8Array;
  myMac?: Uint8Array;
  peerEnc?: Uint8Array;
  peerMac?: Uint8Array;
  inSpi: number;
  outSpi?: number;
  inSa?: EspSa;
  outSa?: EspSa;
}

export class InteropPeer {
  readonly id: LocalId;
  readonly opts: Required<Omit<PeerOptions, "r1Counter" | "id">> & { r1Counter?: bigint };
  readonly violations: string[] = [];
  /** Packet types received with a zero HIP checksum (allowed over UDP by PROFILE §3 / RFC 5770 practice). */
  readonly zeroChecksums: number[] = [];
  /** Raw HIP packets (no marker) by type name, last one of each. */
  readonly received: Record<string, Uint8Array> = {};
  readonly sent: Record<string, Uint8Array> = {};
  assoc?: Assoc;
  /** Responder state per R1 (§4.1: the Responder keeps no per-I1 state beyond the R1 generation). */
  r1State?: { i: Uint8Array; dh: DhKey; groups: number[] };

  constructor(opts: PeerOptions) {
    this.id = opts.id ?? LocalId.generate(1);
    this.opts = {
      locator: opts.locator,
      dhGroups: opts.dhGroups ?? [7, 8],
      hipCiphers: opts.hipCiphers ?? [2, 1],
      espSuites: opts.espSuites ?? [13, 1],
      puzzleK: opts.puzzleK ?? 4,
      puzzleOpaque: opts.puzzleOpaque ?? 0x5a5a,
      r1Counter: opts.r1Counter,
      encryptHostId: opts.encryptHostId ?? true,
      expectChecksum: opts.expectChecksum ?? "any",
    };
  }

  get hit(): Uint8Array {
    return this.id.hit;
  }

  get established(): boolean {
    return this.assoc?.state === "ESTABLISHED";
  }

  check(label: string, ok: boolean, msg: string): boolean {
    if (!ok) this.violations.push(`${label}: ${msg}`);
    return ok;
  }

  /** Start the base exchange as Initiator (RFC 7401 §4.1, §5.3.1). */
  i1(to: Loc, peerHit?: Uint8Array): Datagram {
    return buildI1(this, to, peerHit);
  }

  /** Emit a HIP packet with the checksum over the outer UDP addresses (PROFILE §3). */
  emit(name: string, type: number, receiverHit: Uint8Array, params: Uint8Array[], to: Loc): Datagram {
    const pkt = buildPacket(type, this.hit, receiverHit, params, { src: this.opts.locator.ip, dst: to.ip });
    this.sent[name] = pkt;
    return { to, data: frame(pkt) };
  }

  /** A UDP/10500 payload arrived from `from`. */
  handle(data: Uint8Array, from: Loc): Datagram[] {
    if (!isHipDatagram(data)) {
      this.violations.push("datagram: control packet without the 4-octet zero marker (RFC 5770 §5.3)");
      return [];
    }
    const pkt = data.slice(4);
    const hdr = this.checkHeader(pkt, from);
    if (!hdr) return [];
    const names: Record<number, string> = { 1: "I1", 2: "R1", 3: "I2", 4: "R2" };
    const name = names[hdr.packetType] ?? `type${hdr.packetType}`;
    this.received[name] = pkt;
    const problems: string[] = [];
    const tlvs = parseTlvs(pkt, problems);
    for (const p of problems) this.violations.push(`${name}: ${p}`);
    this.checkOrder(name, tlvs);
    switch (hdr.packetType) {
      case PT.I1:
        return handleI1(this, hdr, tlvs, from);
      case PT.R1:
        return handleR1(this, pkt, hdr, tlvs, from);
      case PT.I2:
        return handleI2(this, pkt, hdr, tlvs, from);
      case PT.R2:
        handleR2(this, pkt, hdr, tlvs);
        return [];
      default:
        this.violations.push(`${name}: packet type not expected in a base exchange`);
        return [];
    }
  }

  /** RFC 7401 §5.1 header rules, §5.1.1 checksum. */
  private checkHeader(pkt: Uint8Array, from: Loc): Header | undefined {
    const l = `header(type ${pkt[2] & 0x7f})`;
    if (!this.check(l, pkt.length >= HDR_LEN, `packet of ${pkt.length} octets is shorter than the 40-octet header (§5.1)`)) return undefined;
    const h = parseHeader(pkt);
    this.check(l, h.nextHeader === 59, `Next Header ${h.nextHeader}, expected 59 IPPROTO_NONE (§5.1)`);
    this.check(l, pkt.length % 8 === 0, `length ${pkt.length} not a multiple of 8 (§5.1)`);
    this.check(l, (h.headerLength + 1) * 8 === pkt.length, `Header Length ${h.headerLength} ≠ (${pkt.length}/8 − 1) (§5.1)`);
    this.check(l, h.fixedBits[0] === 0 && h.fixedBits[1] === 1, `fixed bits ${h.fixedBits} (expected 0 before Packet Type, 1 after RES) (§5.1)`);
    this.check(l, h.version === 2, `Version ${h.version}, expected 2 (§5.1)`);
    this.check(l, h.res === 0, `RES ${h.res}, expected 0 (§5.1)`);
    this.check(l, h.controls === 0, `Controls 0x${h.controls.toString(16)} (no control bits are used here, §5.1.2)`);
    if (h.checksum === 0) {
      this.zeroChecksums.push(h.packetType);
      this.check(l, this.opts.expectChecksum !== "pseudo", "checksum is zero, a real one was asked for (RFC 7401 §5.1.1)");
    } else if (this.check(l, this.opts.expectChecksum !== "zero", `checksum 0x${h.checksum.toString(16)}: over UDP it must be zero (RFC 5770 §5.1, RFC 9028 §5.1)`))
      this.check(l, hipChecksum(pkt, from.ip, this.opts.locator.ip) === h.checksum, `checksum 0x${h.checksum.toString(16)} wrong over the ${from.ip}→${this.opts.locator.ip} pseudo-header (§5.1.1)`);
    return h;
  }

  /** §5.2.1: parameters in ascending type order, no duplicates of the same type here. */
  private checkOrder(name: string, tlvs: Tlv[]): void {
    for (let n = 1; n < tlvs.length; n++)
      this.check(name, tlvs[n - 1].type < tlvs[n].type, `${PARAM_NAME[tlvs[n].type] ?? tlvs[n].type} after ${PARAM_NAME[tlvs[n - 1].type] ?? tlvs[n - 1].type}: parameters must be in ascending type order (RFC 7401 §5.2.1)`);
  }

  /** Exact parameter set (types in order) per RFC 7401 §5.3 / RFC 7402 §5.3. */
  expectParams(name: string, tlvs: Tlv[], expected: number[]): boolean {
    const got = tlvs.map((t) => t.type);
    const n = (l: number[]) => l.map((t) => PARAM_NAME[t] ?? String(t)).join(", ");
    return this.check(name, equal(new Uint8Array(new Uint16Array(got).buffer), new Uint8Array(new Uint16Array(expected).buffer)), `parameters [${n(got)}], expected [${n(expected)}]`);
  }

  newSpi(): number {
    // RFC 4303 §2.1: SPI values 1–255 are reserved.
    return (rd32(new Uint8Array(randomBytes(4)), 0) | 0x100) >>> 0;
  }

  /** Derive KEYMAT and draw the HIP keys (RFC 7401 §6.5) for association `a`. */
  deriveKeys(a: Assoc, kij: Uint8Array, hitI: Uint8Array, hitR: Uint8Array): void {
    const enc = HIP_CIPHER_KEY[a.cipher!];
    a.hipKeysLen = 2 * (enc + INTEGRITY_KEY_LEN);
    a.keymat = keymat(kij, hitI, hitR, a.i!, a.j!, a.hipKeysLen + 2 * 40);
    const km = a.keymat;
    const gl = [km.slice(0, enc), km.slice(enc, enc + INTEGRITY_KEY_LEN)];
    const o = enc + INTEGRITY_KEY_LEN;
    const lg = [km.slice(o, o + enc), km.slice(o + enc, o + enc + INTEGRITY_KEY_LEN)];
    const iAmG = Buffer.compare(this.hit, a.peerHit) > 0;
    [a.myEnc, a.myMac] = iAmG ? gl : lg;
    [a.peerEnc, a.peerMac] = iAmG ? lg : gl;
  }

  /** RFC 7402 §7: ESP keys from the KEYMAT index; gl = keys of the host with the greater HIT. */
  installSas(a: Assoc, index: number): void {
    const { gl, lg } = drawEspKeys(a.keymat!, index, a.suite!);
    const iAmG = Buffer.compare(this.hit, a.peerHit) > 0;
    const out = iAmG ? gl : lg;
    const inn = iAmG ? lg : gl;
    a.outSa = { spi: a.outSpi!, suite: a.suite!, encKey: out[0], authKey: out[1], seq: 0 };
    a.inSa = { spi: a.inSpi, suite: a.suite!, encKey: inn[0], authKey: inn[1], seq: 0 };
    a.state = a.state === "I2-SENT" ? "ESTABLISHED" : "R2-SENT";
  }

  /** ESP datagram carrying a UDP segment HIT→HIT (BEET, RFC 7402 §3.1). */
  sendData(sport: number, dport: number, data: Uint8Array): Uint8Array {
    const a = this.assoc!;
    return seal(a.outSa!, 17, udpSegment(this.hit, a.peerHit, sport, dport, data));
  }

  /** Open an ESP datagram from the peer; a string says why it failed. */
  receiveData(pkt: Uint8Array): { sport: number; dport: number; data: Uint8Array; seq: number } | string {
    const a = this.assoc;
    if (!a?.inSa) return "no inbound SA";
    const r = open(a.inSa, pkt);
    if (typeof r === "string") return r;
    if (r.nextHeader !== 17) return `next header ${r.nextHeader}, expected 17 (BEET UDP)`;
    const seg = r.payload;
    if (seg.length < 8 || ((seg[4] << 8) | seg[5]) !== seg.length) return "inner UDP length mismatch";
    if (!udpChecksumOk(a.peerHit, this.hit, seg)) return "inner UDP checksum wrong (IPv6 pseudo-header over the HITs)";
    if (a.state === "R2-SENT") a.state = "ESTABLISHED";
    return { sport: (seg[0] << 8) | seg[1], dport: (seg[2] << 8) | seg[3], data: seg.slice(8), seq: r.seq };
  }

  isNull(hit: Uint8Array): boolean {
    return isZero(hit);
  }
}
