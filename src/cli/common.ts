// Argument helpers shared by the subcommands: addresses, HITs, identity files and capture files,
// each failing with one line naming the option (src/cli/errors.ts).
import { readFile } from "node:fs/promises";
import { isIP } from "node:net";
import type { Locator, Rng } from "../core/types.ts";
import { hitFromString } from "../hip/hit.ts";
import { HostIdentity } from "../hip/identity.ts";
import { saveIdentity } from "../runtime/keyfile-node.ts";
import { decodeKeyfile } from "../hip/keyfile.ts";
import { CaptureFileError, type CaptureHooks, captureHooks } from "../runtime/capture-node.ts";
import { parseLocator } from "../transport/types.ts";
import { CliError, fileError, reason, UsageError, withFileAsync } from "./errors.ts";

/** `IP:PORT` or `[IPv6]:PORT` with a literal IP address. */
export function locatorArg(option: string, text: string): Locator {
  const l = parseLocator(text);
  if (!l || !isIP(l.ip) || (isIP(l.ip) === 6) !== text.startsWith("[")) throw new UsageError(`${option} ${text}: want IP:PORT or [IPv6]:PORT`);
  return l;
}

/** A HIT in IPv6 notation (2001:2x::/28). */
export function hitArg(option: string, text: string): Uint8Array {
  const h = hitFromString(text.trim());
  if (!h) throw new UsageError(`${option} ${text}: not a HIT (want IPv6 notation, 2001:2x::/28)`);
  return h;
}

/** `[HIT@]IP:PORT`. */
export function peerArg(option: string, text: string): { hit?: Uint8Array; loc: Locator } {
  const at = text.lastIndexOf("@");
  if (at < 0) return { loc: locatorArg(option, text) };
  const hit = hitFromString(text.slice(0, at));
  if (!hit) throw new UsageError(`${option} ${text}: not a HIT before '@' (want [HIT@]IP:PORT)`);
  return { hit, loc: locatorArg(option, text.slice(at + 1)) };
}

/** Read and check an identity keyfile. */
export async function readIdentity(option: string, path: string): Promise<HostIdentity> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    throw fileError(option, path, e);
  }
  const r = decodeKeyfile(text);
  if (!r.ok) throw new CliError(`${option} ${path}: not a valid hipmm keyfile (${r.error})`);
  return r.identity;
}

/** --pcap / --esp-sa files, created now. */
export function openCapture(pcap: string | undefined, espSa: string | undefined): CaptureHooks {
  try {
    return captureHooks(pcap, espSa, (kind, path, e) => console.error(`hipmm: --${kind} ${path}: ${reason(e)} (stopped writing it)`));
  } catch (e) {
    if (e instanceof CaptureFileError) throw fileError(`--${e.kind}`, e.path, e.error, true);
    throw e;
  }
}

/** Read an identity keyfile, or create one (mode 0600) if `path` does not exist. */
export async function readOrCreateIdentity(option: string, path: string, rng: Rng): Promise<HostIdentity> {
  try {
    return await readIdentity(option, path);
  } catch (e) {
    if (!(e instanceof CliError) || !e.message.endsWith(": no such file")) throw e;
  }
  const id = HostIdentity.generate(rng);
  await withFileAsync(option, path, () => saveIdentity(path, id), true);
  return id;
}
