// A self-signed X.509 v3 certificate for WebTransport (the live lab, tests) (RFC 5280 §4.1), built with
// node:crypto and a tiny DER encoder (X.690). Browsers accept such a certificate through
// `serverCertificateHashes` only if its key is ECDSA P-256 and it is valid for at most 14 days
// (W3C WebTransport §4.4 "verify a certificate hash"), so that is what we build.
import { createHash, generateKeyPairSync, sign } from "node:crypto";

export interface TestCert {
  /** PEM "CERTIFICATE" and PKCS#8 "PRIVATE KEY" (what Deno.QuicEndpoint.listen takes). */
  certPem: string;
  keyPem: string;
  der: Uint8Array;
  /** SHA-256 of the DER certificate (the value for serverCertificateHashes). */
  sha256: Uint8Array;
}

// ---- DER (X.690 §8, definite lengths) -------------------------------------------------------

function tlv(tag: number, body: Uint8Array): Uint8Array {
  const n = body.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  const out = new Uint8Array(1 + len.length + n);
  out[0] = tag;
  out.set(len, 1);
  out.set(body, 1 + len.length);
  return out;
}

function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const seq = (...parts: Uint8Array[]) => tlv(0x30, cat(...parts));
const set = (...parts: Uint8Array[]) => tlv(0x31, cat(...parts));
const explicit = (n: number, inner: Uint8Array) => tlv(0xa0 | n, inner);

function oid(text: string): Uint8Array {
  const a = text.split(".").map(Number);
  const bytes = [a[0] * 40 + a[1]];
  for (const v of a.slice(2)) {
    const b = [v & 0x7f];
    for (let x = v >>> 7; x > 0; x >>>= 7) b.unshift(0x80 | (x & 0x7f));
    bytes.push(...b);
  }
  return tlv(0x06, Uint8Array.from(bytes));
}

function integer(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0 && bytes[i + 1] < 0x80) i++;
  const b = bytes.subarray(i);
  return tlv(0x02, b[0] >= 0x80 ? cat(Uint8Array.of(0), b) : b);
}

function utcTime(d: Date): Uint8Array {
  const p = (n: number) => String(n).padStart(2, "0");
  const s = `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  return tlv(0x17, new TextEncoder().encode(s));
}

const name = (cn: string) => seq(set(seq(oid("2.5.4.3"), tlv(0x0c, new TextEncoder().encode(cn)))));

function pem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString("base64").replace(/.{64}/g, "$&\n");
  return `-----BEGIN ${label}-----\n${b64.trimEnd()}\n-----END ${label}-----\n`;
}

/** A fresh ECDSA P-256 key and a certificate for `ips` (subjectAltName iPAddress), valid `days` (≤ 14). */
export function selfSignedCert(opts: { ips?: number[][]; days?: number; cn?: string } = {}): TestCert {
  const days = Math.min(opts.days ?? 10, 14);
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const spki = new Uint8Array(publicKey.export({ type: "spki", format: "der" }));
  const ecdsaSha256 = seq(oid("1.2.840.10045.4.3.2")); // RFC 5758 §3.2: no parameters
  const now = Date.now();
  const serial = new Uint8Array(createHash("sha256").update(spki).digest().subarray(0, 16));
  serial[0] &= 0x7f;
  const san = seq(...(opts.ips ?? [[127, 0, 0, 1]]).map((ip) => tlv(0x87, Uint8Array.from(ip))));
  const extensions = explicit(3, seq(seq(oid("2.5.29.17"), tlv(0x04, san))));
  const tbs = seq(
    explicit(0, integer(Uint8Array.of(2))), // v3
    integer(serial),
    ecdsaSha256,
    name(opts.cn ?? "hipmm-test"),
    seq(utcTime(new Date(now - 60_000)), utcTime(new Date(now + days * 86_400_000 - 120_000))),
    name(opts.cn ?? "hipmm-test"),
    spki,
    extensions,
  );
  const sig = new Uint8Array(sign("sha256", tbs, { key: privateKey, dsaEncoding: "der" }));
  const der = seq(tbs, ecdsaSha256, tlv(0x03, cat(Uint8Array.of(0), sig)));
  return {
    certPem: pem("CERTIFICATE", der),
    keyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    der,
    sha256: new Uint8Array(createHash("sha256").update(der).digest()),
  };
}
