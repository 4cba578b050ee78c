// `hipmm keygen [--curve p256|p384|ed25519] -o FILE [--force]`: generate a host identity
// (ECDSA, RFC 7401 §5.2.9; EdDSA Ed25519, RFC 9374 §3.4; PROFILE §1), write it mode 0600,
// print the HIT (never the key).
import { existsSync } from "node:fs";
import { cryptoRng } from "../core/rng.ts";
import { hitToString } from "../hip/hit.ts";
import { type CurveName, HostIdentity } from "../hip/identity.ts";
import { saveIdentity } from "../hip/keyfile-node.ts";
import { generateRsaIdentity } from "../runtime/rsa-keygen.ts";
import { parseArgs } from "./args.ts";
import type { Command } from "./main.ts";

const USAGE = "usage: hipmm keygen [--curve p256|p384|ed25519 | --alg rsa [--bits N]] -o FILE [--force]";

const CURVES: Record<string, CurveName> = { p256: "P-256", "p-256": "P-256", p384: "P-384", "p-384": "P-384", ed25519: "Ed25519" };

export async function keygen(argv: string[]): Promise<number> {
  const p = parseArgs(argv, { flags: ["force", "help"], options: ["curve", "out", "alg", "bits"], aliases: { o: "out", h: "help" } });
  if (!p.ok) {
    console.error(`hipmm keygen: ${p.error}\n${USAGE}`);
    return 2;
  }
  if (p.args.has("help")) {
    console.log(USAGE);
    return 0;
  }
  const out = p.args.get("out");
  const name = (p.args.get("curve") ?? "p256").toLowerCase();
  const alg = (p.args.get("alg") ?? "ecdsa").toLowerCase();
  const bits = p.args.int("bits") ?? 2048;
  const curve = alg === "rsa" ? "RSA" : Object.hasOwn(CURVES, name) ? CURVES[name] : undefined;
  if (!out || !curve || p.args.positionals.length > 0 || !["ecdsa", "eddsa", "rsa"].includes(alg) || !(bits >= 1024 && bits <= 4096 && bits % 8 === 0)) {
    console.error(USAGE);
    return 2;
  }
  if (existsSync(out) && !p.args.has("force")) {
    console.error(`hipmm keygen: ${out} exists (use --force to replace it)`);
    return 1;
  }
  // RSA (RFC 7401 §5.2.9, HI algorithm 5): WebCrypto key generation.
  const id = curve === "RSA" ? await generateRsaIdentity(bits) : HostIdentity.generate(cryptoRng, curve);
  await saveIdentity(out, id);
  console.log(hitToString(id.hit));
  return 0;
}

export const command: Command = { summary: "generate a host identity keyfile (mode 0600), print its HIT", run: keygen };
