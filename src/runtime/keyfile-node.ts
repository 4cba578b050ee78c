// Node-only keyfile I/O: the file is created mode 0600 by the call that creates it, never
// chmod-ed afterwards (secrets, ARCHITECTURE.md "Rules"; src/core/secret-file-node.ts).
import { readFile } from "node:fs/promises";
import { createSecretFileSync, writeSecretFileSync } from "../core/secret-file-node.ts";
import type { Rng } from "../core/types.ts";
import { type CurveName, HostIdentity } from "../hip/identity.ts";
import { decodeKeyfile, encodeKeyfile } from "../hip/keyfile.ts";

/**
 * Write `id` (with its private key) to `path`, mode 0600. Without `overwrite` an existing file is
 * an error (EEXIST, checked atomically by the open); with it the file is replaced atomically.
 */
export async function saveIdentity(path: string, id: HostIdentity, opts: { overwrite?: boolean } = {}): Promise<void> {
  const text = encodeKeyfile(id);
  if (opts.overwrite) writeSecretFileSync(path, text);
  else createSecretFileSync(path, text);
}

/** Read a keyfile; throws with the decode error message if it is not valid. */
export async function loadIdentity(path: string): Promise<HostIdentity> {
  const r = decodeKeyfile(await readFile(path, "utf8"));
  if (!r.ok) throw new Error(`${path}: ${r.error}`);
  return r.identity;
}

/** Load `path` if it exists, else generate a new identity and save it there. */
export async function loadOrCreateIdentity(path: string, rng: Rng, curve: CurveName = "P-256"): Promise<HostIdentity> {
  try {
    return await loadIdentity(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  const id = HostIdentity.generate(rng, curve);
  await saveIdentity(path, id);
  return id;
}
