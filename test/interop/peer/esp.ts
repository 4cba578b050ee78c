// ESP (RFC 4303) in BEET mode (RFC 7402 §3.1) for the interop peer, with node:crypto.
// Suites (RFC 7402 §5.1.2): 1 = AES-128-CBC (RFC 3602, 16-octet IV) + HMAC-SHA1-96 (RFC 2404);
// 13 = AES-GCM with a 16-octet ICV (RFC 4106: key | 4-octet salt, 8-octet explicit IV,
// nonce = salt | IV, AAD = SPI | Sequence Number).
// Keys (RFC 7402 §7): drawn from KEYMAT at the ESP_INFO KEYMAT index: SA-gl encryption,
// SA-gl authentication, SA-lg encryption, SA-lg authentication.
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";
import { concat, equal, rd16, rd32, u16, u32 } from "./bytes.ts";
import { inetChecksum, pseudoHeader } from "./checksum.ts";

export const ESP_SUITES: Record<number, { encKey: number; authKey: number }> = {
  1: { encKey: 16, authKey: 20 },
  13: { encKey: 20, authKey: 0 },
};

export interface EspSa {
  spi: number;
  suite: number;
  encKey: Uint8Array;
  authKey: Uint8Array;
  seq: number;
}

export function drawEspKeys(km: Uint8Array, index: number, suite: number): { gl: [Uint8Array, Uint8Array]; lg: [Uint8Array, Uint8Array] } {
  const s = ESP_SUITES[suite];
  let o = index;
  const take = (n: number) => {
    const k = km.slice(o, o + n);
    o += n;
    return k;
  };
  const gl: [Uint8Array, Uint8Array] = [take(s.encKey), take(s.authKey)];
  const lg: [Uint8Array, Uint8Array] = [take(s.encKey), take(s.authKey)];
  return { gl, lg };
}

/** BEET inner upper layer: UDP header (RFC 768) with the checksum over an IPv6 pseudo-header of the HITs. */
export function udpSegment(srcHit: Uint8Array, dstHit: Uint8Array, sport: number, dport: number, data: Uint8Array): Uint8Array {
  const seg = concat(u16(sport), u16(dport), u16(8 + data.length), u16(0), data);
  let c = inetChecksum(concat(pseudoFromHits(srcHit, dstHit, seg.length), seg));
  if (c === 0) c = 0xffff;
  seg.set(u16(c), 6);
  return seg;
}

function pseudoFromHits(src: Uint8Array, dst: Uint8Array, len: number): Uint8Array {
  const t = (b: Uint8Array) => Array.from({ length: 8 }, (_, i) => ((b[2 * i] << 8) | b[2 * i + 1]).toString(16)).join(":");
  return pseudoHeader(t(src), t(dst), 17, len);
}

export function udpChecksumOk(srcHit: Uint8Array, dstHit: Uint8Array, seg: Uint8Array): boolean {
  if (rd16(seg, 6) === 0) return true;
  return inetChecksum(concat(pseudoFromHits(srcHit, dstHit, seg.length), seg)) === 0;
}

export function seal(sa: EspSa, nextHeader: number, payload: Uint8Array): Uint8Array {
  sa.seq++;
  const hdr = concat(u32(sa.spi), u32(sa.seq));
  const block = sa.suite === 1 ? 16 : 4;
  // RFC 4303 §2.4: pad so that payload | padding | Pad Length | Next Header is block aligned; pad bytes 1, 2, 3…
  const padLen = (block - ((payload.length + 2) % block)) % block;
  const pad = Uint8Array.from({ length: padLen }, (_, i) => i + 1);
  const plain = concat(payload, pad, new Uint8Array([padLen, nextHeader]));
  if (sa.suite === 1) {
    const iv = new Uint8Array(randomBytes(16));
    const c = createCipheriv("aes-128-cbc", sa.encKey, iv).setAutoPadding(false);
    const body = concat(hdr, iv, new Uint8Array(c.update(plain)), new Uint8Array(c.final()));
    const icv = new Uint8Array(createHmac("sha1", sa.authKey).update(body).digest()).slice(0, 12);
    return concat(body, icv);
  }
  const iv = new Uint8Array(randomBytes(8));
  const c = createCipheriv("aes-128-gcm", sa.encKey.subarray(0, 16), concat(sa.encKey.subarray(16, 20), iv), { authTagLength: 16 });
  c.setAAD(hdr);
  const ct = concat(new Uint8Array(c.update(plain)), new Uint8Array(c.final()));
  return concat(hdr, iv, ct, new Uint8Array(c.getAuthTag()));
}

export interface Opened {
  spi: number;
  seq: number;
  nextHeader: number;
  payload: Uint8Array;
}

/** Open an ESP packet; returns a reason string on failure. Checks padding per RFC 4303 §2.4. */
export function open(sa: EspSa, pkt: Uint8Array): Opened | string {
  const spi = rd32(pkt, 0);
  const seq = rd32(pkt, 4);
  if (spi !== sa.spi) return `SPI ${spi} ≠ ${sa.spi}`;
  let plain: Uint8Array;
  try {
    if (sa.suite === 1) {
      if (pkt.length < 8 + 16 + 16 + 12 || (pkt.length - 8 - 16 - 12) % 16 !== 0) return "bad CBC length";
      const icv = pkt.subarray(pkt.length - 12);
      const mac = new Uint8Array(createHmac("sha1", sa.authKey).update(pkt.subarray(0, pkt.length - 12)).digest()).slice(0, 12);
      if (!equal(icv, mac)) return "ICV mismatch (HMAC-SHA1-96)";
      const d = createDecipheriv("aes-128-cbc", sa.encKey, pkt.subarray(8, 24)).setAutoPadding(false);
      plain = concat(new Uint8Array(d.update(pkt.subarray(24, pkt.length - 12))), new Uint8Array(d.final()));
    } else {
      if (pkt.length < 8 + 8 + 4 + 16) return "bad GCM length";
      const iv = pkt.subarray(8, 16);
      const d = createDecipheriv("aes-128-gcm", sa.encKey.subarray(0, 16), concat(sa.encKey.subarray(16, 20), iv), { authTagLength: 16 });
      d.setAAD(pkt.subarray(0, 8));
      d.setAuthTag(pkt.subarray(pkt.length - 16));
      plain = concat(new Uint8Array(d.update(pkt.subarray(16, pkt.length - 16))), new Uint8Array(d.final()));
      if (plain.length % 4 !== 0) return "GCM plaintext not 4-octet aligned (RFC 4303 §2.4)";
    }
  } catch (e) {
    return `decrypt/auth failed: ${(e as Error).message}`;
  }
  const nh = plain[plain.length - 1];
  const padLen = plain[plain.length - 2];
  if (padLen + 2 > plain.length) return "pad length too large";
  const pad = plain.subarray(plain.length - 2 - padLen, plain.length - 2);
  for (let i = 0; i < pad.length; i++) if (pad[i] !== i + 1) return "padding bytes are not 1, 2, 3… (RFC 4303 §2.4)";
  return { spi, seq, nextHeader: nh, payload: plain.slice(0, plain.length - 2 - padLen) };
}
