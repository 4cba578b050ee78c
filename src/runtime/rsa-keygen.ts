// RSA host identity generation (RFC 7401 §5.2.9, HI algorithm 5) with WebCrypto: the sans-I/O
// core cannot draw primes from an injected Rng in reasonable time, so the key pair comes from
// crypto.subtle.generateKey (available in Node, Deno, browsers and workers) and is exported as
// a JWK into the core's RSA secret encoding (src/hip/rsa.ts).
import { HostIdentity } from "../hip/identity.ts";
import { encodeRsaSecret, type RsaPrivateFields } from "../hip/rsa.ts";

function b64u(s: string | undefined): Uint8Array {
  if (!s) throw new Error("incomplete RSA JWK");
  const b64 = s.replace(/-/g, "+").replace(/_/g, "/");
  const bin = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

/** A new RSA identity of `bits` (default 2048, public exponent 65537). */
export async function generateRsaIdentity(bits = 2048): Promise<HostIdentity> {
  const pair = (await crypto.subtle.generateKey(
    { name: "RSA-PSS", modulusLength: bits, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    true,
    ["sign", "verify"],
  )) as CryptoKeyPair;
  const j = await crypto.subtle.exportKey("jwk", pair.privateKey);
  const f: RsaPrivateFields = { n: b64u(j.n), e: b64u(j.e), d: b64u(j.d), p: b64u(j.p), q: b64u(j.q), dp: b64u(j.dp), dq: b64u(j.dq), qi: b64u(j.qi) };
  const secret = encodeRsaSecret(f);
  for (const v of Object.values(f)) v.fill(0);
  const id = HostIdentity.fromSecretKey(secret, "RSA");
  secret.fill(0);
  if (!id) throw new Error("WebCrypto returned an unusable RSA key");
  return id;
}
