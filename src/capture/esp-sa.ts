// tshark/Wireshark `esp_sa` UAT lines, so captures of our ESP traffic can be decrypted and
// their ICVs checked (PROFILE §4). Suite numbers are RFC 7402 §5.1.2 ESP transform suites;
// the strings are Wireshark 4.0's own algorithm names (packet-ipsec.c value strings).
// Lines hold keys: write them only behind an explicit debug flag, to mode-0600 files.
import { hex } from "../core/bytes.ts";

export interface TsharkEspAlgorithms {
  readonly encryption: string;
  readonly authentication: string;
  /** Encryption key length in bytes as tshark wants it (AES-GCM: key followed by 4-byte salt). */
  readonly encKeyLength: number;
  readonly authKeyLength: number;
}

/** RFC 7402 ESP transform suite → tshark esp_sa algorithm names. */
export const TSHARK_ESP_SUITES: Readonly<Record<number, TsharkEspAlgorithms>> = {
  // AES-128-CBC with HMAC-SHA1 (RFC 3602, RFC 2404)
  1: { encryption: "AES-CBC [RFC3602]", authentication: "HMAC-SHA-1-96 [RFC2404]", encKeyLength: 16, authKeyLength: 20 },
  // NULL with HMAC-SHA-256 (RFC 2410, RFC 4868)
  7: { encryption: "NULL", authentication: "HMAC-SHA-256-128 [RFC4868]", encKeyLength: 0, authKeyLength: 32 },
  // AES-128-CBC with HMAC-SHA-256
  8: { encryption: "AES-CBC [RFC3602]", authentication: "HMAC-SHA-256-128 [RFC4868]", encKeyLength: 16, authKeyLength: 32 },
  // AES-256-CBC with HMAC-SHA-256
  9: { encryption: "AES-CBC [RFC3602]", authentication: "HMAC-SHA-256-128 [RFC4868]", encKeyLength: 32, authKeyLength: 32 },
  // AES-GCM with an 8-octet ICV (RFC 4106), 128-bit key + salt
  12: { encryption: "AES-GCM with 8 octet ICV [RFC4106]", authentication: "NULL", encKeyLength: 20, authKeyLength: 0 },
  // AES-GCM with a 16-octet ICV (RFC 4106), 128-bit key + salt
  13: { encryption: "AES-GCM with 16 octet ICV [RFC4106]", authentication: "NULL", encKeyLength: 20, authKeyLength: 0 },
};

/** One security association as tshark needs it. */
export interface EspSaEntry {
  /** Outer addresses of the ESP packets; "*" matches any. */
  readonly src: string;
  /** Outer destination address; "*" matches any. */
  readonly dst: string;
  /** SPI. */
  readonly spi: number;
  /** ESP suite ID (RFC 7402 §5.1.2). */
  readonly suite: number;
  /** Encryption key; for AES-GCM the key followed by the 4-byte salt (RFC 4106 §8.1). */
  readonly encKey: Uint8Array;
  /** Authentication key (empty for AES-GCM). */
  readonly authKey: Uint8Array;
}

/** tshark 4.0 accepts only "IPv4" / "IPv6" here (no wildcard); undefined when both addresses are "*". */
function family(e: EspSaEntry): string | undefined {
  const a = e.src !== "*" ? e.src : e.dst;
  if (a === "*") return undefined;
  return a.includes(":") ? "IPv6" : "IPv4";
}

const q = (s: string) => `"${s.replace(/"/g, "")}"`;
const key = (b: Uint8Array) => (b.length === 0 ? "" : `0x${hex(b)}`);

/** One UAT line (also valid as `-o uat:esp_sa:<line>`). Throws on an unknown suite or key length. */
export function espSaUatLine(e: EspSaEntry, fam = family(e) ?? "IPv4"): string {
  const alg = TSHARK_ESP_SUITES[e.suite];
  if (!alg) throw new RangeError(`ESP suite ${e.suite} has no tshark mapping`);
  if (e.encKey.length !== alg.encKeyLength && !(e.suite === 13 && e.encKey.length === 36))
    throw new RangeError(`suite ${e.suite}: encryption key of ${e.encKey.length} bytes, want ${alg.encKeyLength}`);
  if (e.authKey.length !== alg.authKeyLength)
    throw new RangeError(`suite ${e.suite}: authentication key of ${e.authKey.length} bytes, want ${alg.authKeyLength}`);
  const spi = `0x${(e.spi >>> 0).toString(16).padStart(8, "0")}`;
  return [fam, e.src, e.dst, spi, alg.encryption, key(e.encKey), alg.authentication, key(e.authKey)]
    .map(q)
    .join(",");
}

/**
 * SAs as esp_sa entries for any address, each once: one host's outbound SA is the other's inbound
 * SA, so a run's keys seen from both hosts (or a host's in and out) name it twice.
 */
export function uniqueEspSas(keys: Iterable<{ spi: number; suite: number; encKey: Uint8Array; authKey: Uint8Array }>): EspSaEntry[] {
  const seen = new Set<string>();
  const out: EspSaEntry[] = [];
  for (const k of keys) {
    const id = `${k.spi}:${hex(k.encKey)}:${hex(k.authKey)}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({ src: "*", dst: "*", spi: k.spi, suite: k.suite, encKey: k.encKey, authKey: k.authKey });
  }
  return out;
}

/** Contents of an `esp_sa` UAT file: one line per SA, two (IPv4 and IPv6) when its addresses are "*". */
export function espSaUatFile(entries: readonly EspSaEntry[]): string {
  return entries
    .flatMap((e) => (family(e) ? [espSaUatLine(e)] : [espSaUatLine(e, "IPv4"), espSaUatLine(e, "IPv6")]))
    .map((l) => `${l}\n`)
    .join("");
}

/** tshark arguments enabling ESP decryption/ICV checks with the given UAT lines. */
export function tsharkEspArgs(uatLines: readonly string[]): string[] {
  const args = ["-o", "esp.enable_encryption_decode:TRUE", "-o", "esp.enable_authentication_check:TRUE"];
  for (const l of uatLines) if (l.trim() !== "" && !l.startsWith("#")) args.push("-o", `uat:esp_sa:${l.trim()}`);
  return args;
}
