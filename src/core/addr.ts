// IP address text <-> 16-byte form. IPv4 travels as IPv4-mapped IPv6 (::ffff:a.b.c.d),
// as REA_INFO and the rest of the draft's address fields require (PROFILE §2).
import { HEX_CODE } from "./bytes.ts";

/** Parse IPv4 or IPv6 text into 16 bytes (IPv4 → ::ffff:a.b.c.d). Undefined if malformed. */
export function ipToBytes(ip: string): Uint8Array | undefined {
  const out = new Uint8Array(16);
  if (!ip.includes(":")) {
    const v4 = parseV4(ip);
    if (!v4) return undefined;
    out[10] = 0xff;
    out[11] = 0xff;
    out.set(v4, 12);
    return out;
  }
  let text = ip;
  const zone = text.indexOf("%");
  if (zone >= 0) text = text.slice(0, zone);
  let tail: Uint8Array | undefined;
  const lastColon = text.lastIndexOf(":");
  if (text.slice(lastColon + 1).includes(".")) {
    tail = parseV4(text.slice(lastColon + 1));
    if (!tail) return undefined;
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(":") : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const groups = head.length + rest.length;
  if (halves.length === 1 ? groups !== 8 : groups > 7) return undefined;
  const words = [...head, ...new Array<string>(8 - groups).fill("0"), ...rest];
  for (let i = 0; i < 8; i++) {
    const w = words[i];
    if (!/^[0-9a-fA-F]{1,4}$/.test(w)) return undefined;
    const n = Number.parseInt(w, 16);
    out[2 * i] = n >> 8;
    out[2 * i + 1] = n & 0xff;
  }
  if (tail) out.set(tail, 12);
  return out;
}

function parseV4(s: string): Uint8Array | undefined {
  const parts = s.split(".");
  if (parts.length !== 4) return undefined;
  const b = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    if (!/^\d{1,3}$/.test(parts[i])) return undefined;
    const n = Number(parts[i]);
    if (n > 255) return undefined;
    b[i] = n;
  }
  return b;
}

/** True when the 16 bytes are an IPv4-mapped address. */
export function isV4Mapped(b: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

/** Decimal text of each byte value (address text is built on every parsed REA / FA_INFO). */
const DEC: readonly string[] = Array.from({ length: 256 }, (_, i) => String(i));
/** ':' and room for the longest IPv6 text (39 characters), as character codes. */
const COLON = 58;
const IP_CODES = new Uint16Array(40);

/** 16 bytes → text; IPv4-mapped addresses come back as dotted IPv4. */
export function bytesToIp(b: Uint8Array): string {
  return bytesToIpAt(b, 0);
}

/** bytesToIp of the 16 bytes at b[o, o + 16) (no view made): RFC 5952 text, lower case, the
 * longest run (>= 2) of zero words compressed, the first such run on a tie. */
export function bytesToIpAt(b: Uint8Array, o: number): string {
  let mapped = b[o + 10] === 0xff && b[o + 11] === 0xff;
  for (let i = 0; mapped && i < 10; i++) if (b[o + i] !== 0) mapped = false;
  if (mapped) return `${DEC[b[o + 12]]}.${DEC[b[o + 13]]}.${DEC[b[o + 14]]}.${DEC[b[o + 15]]}`;
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (b[o + 2 * i] !== 0 || b[o + 2 * i + 1] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && b[o + 2 * j] === 0 && b[o + 2 * j + 1] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  // Character codes, then one String.fromCharCode: the text is often kept (leases, peer
  // addresses, HIT strings), and a += chain of 13 or more characters is a tree of V8 cons strings,
  // ~535 bytes per kept address instead of ~65 (test/security/bounds.test.ts).
  const out = IP_CODES;
  let n = 0;
  for (let i = 0; i < 8; i++) {
    if (i === best) {
      out[n++] = COLON;
      out[n++] = COLON;
      i += bestLen - 1;
      continue;
    }
    if (i > 0 && i !== best + bestLen) out[n++] = COLON;
    const w = (b[o + 2 * i] << 8) | b[o + 2 * i + 1];
    if (w >= 0x1000) out[n++] = HEX_CODE[w >> 12];
    if (w >= 0x100) out[n++] = HEX_CODE[(w >> 8) & 15];
    if (w >= 0x10) out[n++] = HEX_CODE[(w >> 4) & 15];
    out[n++] = HEX_CODE[w & 15];
  }
  return String.fromCharCode.apply(null, out.subarray(0, n) as unknown as number[]);
}

export function isIPv6Text(ip: string): boolean {
  return ip.includes(":");
}

/** 4 raw bytes of an IPv4 text address (for IPv4 pseudo-headers / pcap). */
export function ipv4Bytes(ip: string): Uint8Array | undefined {
  return ip.includes(":") ? undefined : parseV4(ip);
}
