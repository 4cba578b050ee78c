// `hipmm keygen [--curve p256|p384|ed25519] -o FILE [--force]`: generate a host identity
// (ECDSA, RFC 7401 §5.2.9; EdDSA Ed25519, RFC 9374 §3.4; PROFILE §1), write it mode 0600 (created
// so by the open itself; --force replaces atomically), print the HIT (never the key).
import { cryptoRng } from "../core/rng.ts";
import { hitToString } from "../hip/hit.ts";
import { type CurveName, HostIdentity } from "../hip/identity.ts";
import { saveIdentity } from "../runtime/keyfile-node.ts";
import { generateRsaIdentity } from "../runtime/rsa-keygen.ts";
import { CliError, UsageError, withFileAsync } from "./errors.ts";
import type { Command } from "./main.ts";
import { type CommandSpec, intOption, parseCommand } from "./options.ts";

const CURVES: Record<string, CurveName> = { p256: "P-256", "p-256": "P-256", p384: "P-384", "p-384": "P-384", ed25519: "Ed25519" };

export const KEYGEN_SPEC: CommandSpec = {
  name: "keygen",
  summary: "generate a host identity keyfile (mode 0600), print its HIT",
  options: [
    { name: "out", short: "o", arg: "FILE", required: true, help: "keyfile to create (mode 0600; it must not exist unless --force)" },
    { name: "curve", arg: "p256|p384|ed25519", default: "p256", help: "ECDSA P-256 / P-384 (RFC 7401 §5.2.9) or Ed25519 (RFC 9374 §3.4)" },
    { name: "alg", arg: "ecdsa|eddsa|rsa", default: "ecdsa", help: "rsa: an RSA identity (HI algorithm 5, HIT suite 1, RSASSA-PSS; RFC 7401 §5.2.9); otherwise --curve decides" },
    { name: "bits", arg: "N", default: "2048", help: "with --alg rsa: modulus size in bits (1024..4096)" },
    { name: "force", help: "replace an existing FILE" },
  ],
  notes: ["Prints the HIT (ORCHIDv2, IPv6 notation) on stdout; the private key is only ever in FILE."],
  examples: ["hipmm keygen -o a.key", "hipmm keygen --curve ed25519 -o b.key", "hipmm keygen --alg rsa -o c.key"],
};

export async function keygen(argv: string[]): Promise<number> {
  const a = parseCommand(KEYGEN_SPEC, argv);
  if (!a) return 0;
  if (a.positionals.length) throw new UsageError(`unexpected argument ${a.positionals[0]}`);
  const out = a.get("out")!;
  const name = (a.get("curve") ?? "p256").toLowerCase();
  if (!Object.hasOwn(CURVES, name)) throw new UsageError(`--curve ${a.get("curve")}: want p256, p384 or ed25519`);
  const alg = (a.get("alg") ?? "ecdsa").toLowerCase();
  if (!["ecdsa", "eddsa", "rsa"].includes(alg)) throw new UsageError(`--alg ${a.get("alg")}: want ecdsa, eddsa or rsa`);
  const bits = intOption(a, "bits", 1024, 4096) ?? 2048;
  if (bits % 8 !== 0) throw new UsageError(`--bits ${bits}: want a multiple of 8`);
  // RSA (RFC 7401 §5.2.9, HI algorithm 5): WebCrypto key generation.
  const id = alg === "rsa" ? await generateRsaIdentity(bits) : HostIdentity.generate(cryptoRng, CURVES[name]);
  await withFileAsync(
    "-o",
    out,
    async () => {
      try {
        await saveIdentity(out, id, { overwrite: a.has("force") });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "EEXIST") throw new CliError(`-o ${out}: exists (use --force to replace it)`);
        throw e;
      }
    },
    true,
  );
  console.log(hitToString(id.hit));
  return 0;
}

export const command: Command = { summary: KEYGEN_SPEC.summary, run: keygen };
