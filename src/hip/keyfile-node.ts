// Node-only keyfile I/O: writes with mode 0600 (secrets, ARCHITECTURE.md "Rules").
import { chmod, readFile, writeFile } from "node:fs/promises";
import type { Rng } from "../core/types.ts";
import { type CurveName, HostIdentity } from "./identity.ts";
import { decodeKeyfile, encodeKeyfile } from "./keyfile.ts";

/** Write `id` (with its private key) to `path`, mode 0600. */
export async function saveIdentity(path: string, id: HostIdentity): Promise<void> {
  await writeFile(path, encodeKeyfile(id), { mode: 0o600 });
  await chmod(path, 0o600);
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
