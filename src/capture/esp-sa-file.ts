// Node-only: write tshark esp_sa UAT lines to a file readable by its owner only (keys inside):
// created mode 0600 in the call that creates it, replaced atomically (src/core/secret-file-node.ts),
// then appended to.
import { appendFileSync } from "node:fs";
import { SECRET_MODE, writeSecretFileSync } from "../core/secret-file-node.ts";
import { type EspSaEntry, espSaUatFile } from "./esp-sa.ts";

export function writeEspSaFile(path: string, entries: readonly EspSaEntry[]): void {
  writeSecretFileSync(path, espSaUatFile(entries));
}

/** Append lines for `entries` to a file writeEspSaFile created (mode 0600 stays; a file that
 * vanished meanwhile is created 0600 again): O(new lines), however many SAs came before. */
export function appendEspSaFile(path: string, entries: readonly EspSaEntry[]): void {
  appendFileSync(path, espSaUatFile(entries), { mode: SECRET_MODE });
}
