// The draft's own parameters: REA_INFO (§6.1.1.1), AC_INFO (§6.1.2.1), FA_INFO (§6.1.3.1),
// with PROFILE §2's extensions (UDP port + flags in REA_INFO's per-address Reserved word,
// leased locator port in FA_INFO). 16-byte addresses are IPv6 or IPv4-mapped; reprs use text.
import { bytesToIpAt, ipv4Bytes } from "../../core/addr.ts";
import { HIP_UDP_PORT } from "../../core/types.ts";
import { ok, type Result } from "../error.ts";
import { addrBytes, badLength, badValue, put16, put32, u16, u32 } from "./codec.ts";

/** PROFILE §2: port 0 on the wire means 10500, so 10500 is sent as 0 (canonical form). */
function wirePort(port: number): number {
  return port === HIP_UDP_PORT ? 0 : port;
}

/** One REA_INFO address entry: Address Lifetime(4) | Port(16) Flags(16) | Address(16). */
export interface ReaAddress {
  /** Address Lifetime (s). */
  lifetime: number;
  /** IPv6 or dotted IPv4 text (sent IPv4-mapped). */
  ip: string;
  /** UDP port of this locator (PROFILE §2); 0 on the wire means 10500; 10500 is sent as 0. */
  port: number;
  /** Flags bit 0 (PROFILE §2). */
  preferred: boolean;
}

/** REA_INFO: Interface ID(4) Current SPI rev(4) Current SPI(4) New SPI(4) Keymaterial index(2)
 *  REA ID(2), then ReaAddress × n (24 bytes each). */
export interface ReaInfoParam {
  /** Parameter name (discriminant). */
  kind: "REA_INFO";
  /** Interface ID of the sender's logical interface. */
  interfaceId: number;
  /** Current SPI in reverse direction (the SPI the sender sends with). */
  currentSpiReverse: number;
  /** Current SPI (the SPI the sender receives with on this interface). */
  currentSpi: number;
  /** New SPI (equals currentSpi unless the SA changes). */
  newSpi: number;
  /** Keymaterial index for the new SA (bytes, docs/PROTOCOL.md §8). */
  keymatIndex: number;
  /** REA ID (16 bits). */
  reaId: number;
  /** The interface's addresses. */
  addresses: ReaAddress[];
}

/** Size of the fixed part of REA_INFO (bytes). */
export const REA_INFO_FIXED = 20;
/** Size of one address entry (bytes). */
export const REA_INFO_ADDRESS = 24;

/** Parse a REA_INFO value (`n` bytes of `b` at `o`; errors at `o`-based offsets). */
export function parseReaInfo(b: Uint8Array, o: number, n: number): Result<ReaInfoParam> {
  if (n < REA_INFO_FIXED || (n - REA_INFO_FIXED) % REA_INFO_ADDRESS !== 0) return badLength("REA_INFO", o, n, "20 + 24n");
  const addresses: ReaAddress[] = [];
  for (let p = o + REA_INFO_FIXED; p < o + n; p += REA_INFO_ADDRESS) {
    const port = u16(b, p + 4);
    addresses.push({ lifetime: u32(b, p), port: port === 0 ? HIP_UDP_PORT : port, preferred: (b[p + 7] & 1) === 1, ip: bytesToIpAt(b, p + 8) });
  }
  return ok({
    kind: "REA_INFO",
    interfaceId: u32(b, o),
    currentSpiReverse: u32(b, o + 4),
    currentSpi: u32(b, o + 8),
    newSpi: u32(b, o + 12),
    keymatIndex: u16(b, o + 16),
    reaId: u16(b, o + 18),
    addresses,
  });
}

/** The REA_INFO value bytes (no TLV header). */
export function emitReaInfo(p: ReaInfoParam): Uint8Array {
  const b = new Uint8Array(REA_INFO_FIXED + REA_INFO_ADDRESS * p.addresses.length);
  put32(b, 0, p.interfaceId);
  put32(b, 4, p.currentSpiReverse);
  put32(b, 8, p.currentSpi);
  put32(b, 12, p.newSpi);
  put16(b, 16, p.keymatIndex);
  put16(b, 18, p.reaId);
  let o = REA_INFO_FIXED;
  for (const a of p.addresses) {
    put32(b, o, a.lifetime);
    put16(b, o + 4, wirePort(a.port));
    put16(b, o + 6, a.preferred ? 1 : 0);
    b.set(addrBytes(a.ip), o + 8);
    o += REA_INFO_ADDRESS;
  }
  return b;
}

/** AC_INFO: AC ID(2) REA ID(2) RTT timestamp(4) Reserved(4). */
export interface AcInfoParam {
  /** Parameter name (discriminant). */
  kind: "AC_INFO";
  /** AC ID (16 bits). */
  acId: number;
  /** REA ID the check answers (16 bits). */
  reaId: number;
  /** RTT timestamp: the sender's clock in ms modulo 2^32. */
  rttTimestamp: number;
}

/** Parse an AC_INFO value (exactly 12 bytes: `n` bytes of `b` at `o`). */
export function parseAcInfo(b: Uint8Array, o: number, n: number): Result<AcInfoParam> {
  if (n !== 12) return badLength("AC_INFO", o, n, "12");
  return ok({ kind: "AC_INFO", acId: u16(b, o), reaId: u16(b, o + 2), rttTimestamp: u32(b, o + 4) });
}

/** The AC_INFO value bytes. */
export function emitAcInfo(p: AcInfoParam): Uint8Array {
  const b = new Uint8Array(12);
  put16(b, 0, p.acId);
  put16(b, 2, p.reaId);
  put32(b, 4, p.rttTimestamp);
  return b;
}

/** FA_INFO address part by Addr type: 0 = none ("any", e.g. an FAQ with no wish),
 *  4 = shared IPv4 locator with an SPI range, 6 = dedicated IPv6 locator. */
export type FaAddress =
  | {
      /** 0: no address ("any"). */
      addrType: 0;
    }
  | {
      /** 4: a shared IPv4 locator with an SPI range. */
      addrType: 4;
      /** Min SPI of the range. */
      minSpi: number;
      /** Max SPI of the range. */
      maxSpi: number;
      /** The IPv4 address (dotted text). */
      ip: string;
    }
  | {
      /** 6: a dedicated IPv6 locator. */
      addrType: 6;
      /** The IPv6 address (text). */
      ip: string;
    };

/** FA_INFO: Request ID(2) Lease ID(2) Lease duration(4) Reserved(8 bits) Port(16) Addr type(8),
 *  then: type 4 → Min SPI(4) Max SPI(4) IPv4(4) Reserved(4); type 6 → IPv6(16); type 0 → nothing. */
export interface FaInfoParam {
  /** Parameter name (discriminant). */
  kind: "FA_INFO";
  /** Request ID (matches an FAA/FAD to its FAQ). */
  requestId: number;
  /** Lease ID (0 in a first FAQ). */
  leaseId: number;
  /** Lease duration (s); in an FAQ 0 asks for no particular duration (new lease) or releases an existing one. */
  leaseDuration: number;
  /** UDP port of the leased locator (PROFILE §2); 0 on the wire means 10500. */
  port: number;
  /** The leased (or wished) address. */
  address: FaAddress;
}

/** Parse an FA_INFO value (`n` bytes of `b` at `o`; errors at `o`-based offsets). */
export function parseFaInfo(b: Uint8Array, o: number, n: number): Result<FaInfoParam> {
  if (n < 12) return badLength("FA_INFO", o, n, "at least 12");
  const addrType = b[o + 11];
  const need = addrType === 0 ? 12 : addrType === 4 || addrType === 6 ? 28 : -1;
  if (need < 0) return badValue("FA_INFO", o + 11, `Addr type ${addrType} (expected 0, 4 or 6)`);
  if (n !== need) return badLength("FA_INFO", o, n, `${need} for Addr type ${addrType}`);
  const port = u16(b, o + 9);
  let address: FaAddress;
  if (addrType === 4) address = { addrType: 4, minSpi: u32(b, o + 12), maxSpi: u32(b, o + 16), ip: `${b[o + 20]}.${b[o + 21]}.${b[o + 22]}.${b[o + 23]}` };
  else if (addrType === 6) address = { addrType: 6, ip: bytesToIpAt(b, o + 12) };
  else address = { addrType: 0 };
  return ok({ kind: "FA_INFO", requestId: u16(b, o), leaseId: u16(b, o + 2), leaseDuration: u32(b, o + 4), port: port === 0 ? HIP_UDP_PORT : port, address });
}

/** The FA_INFO value bytes. */
export function emitFaInfo(p: FaInfoParam): Uint8Array {
  const a = p.address;
  const b = new Uint8Array(a.addrType === 0 ? 12 : 28);
  put16(b, 0, p.requestId);
  put16(b, 2, p.leaseId);
  put32(b, 4, p.leaseDuration);
  put16(b, 9, wirePort(p.port));
  b[11] = a.addrType;
  if (a.addrType === 4) {
    const v4 = ipv4Bytes(a.ip);
    if (!v4) throw new RangeError(`FA_INFO: not an IPv4 address: ${a.ip}`);
    put32(b, 12, a.minSpi);
    put32(b, 16, a.maxSpi);
    b.set(v4, 20);
  } else if (a.addrType === 6) {
    b.set(addrBytes(a.ip), 12);
  }
  return b;
}
