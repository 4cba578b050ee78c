// Small byte helpers shared by all layers.

/** Character codes of the lower-case hex digits (hex() here, IPv6 text in addr.ts). */
export const HEX_CODE = Uint16Array.from("0123456789abcdef", (c) => c.charCodeAt(0));
/** Bytes per String.fromCharCode call (twice as many arguments). */
const HEX_CHUNK = 2048;

/**
 * Lower-case hex, as one flat string. Built by `s +=`, a string of 13 or more characters is a tree
 * of V8 cons strings: a 16-byte fingerprint held in a Set (SaGuard, SolvedPuzzles: up to 65,536
 * each) cost ~625 bytes instead of ~83 (test/security/bounds.test.ts).
 */
export function hex(b: Uint8Array): string {
  if (b.length <= HEX_CHUNK) return hexOf(b, 0, b.length);
  const parts: string[] = [];
  for (let at = 0; at < b.length; at += HEX_CHUNK) parts.push(hexOf(b, at, Math.min(b.length, at + HEX_CHUNK)));
  return parts.join("");
}

function hexOf(b: Uint8Array, from: number, to: number): string {
  const codes = new Array<number>(2 * (to - from));
  for (let i = from, k = 0; i < to; i++, k += 2) {
    codes[k] = HEX_CODE[b[i] >> 4];
    codes[k + 1] = HEX_CODE[b[i] & 15];
  }
  return String.fromCharCode.apply(null, codes);
}

export function fromHex(s: string): Uint8Array | undefined {
  const t = s.replace(/[\s:]/g, "");
  if (t.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(t)) return undefined;
  const out = new Uint8Array(t.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(t.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Constant-time comparison (time depends on length only). */
export function ctEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}
