// Node-only: write tshark esp_sa UAT lines to a file readable by its owner only (keys inside):
// created mode 0600 in the call that creates it, replaced atomically (src/core/secret-file-node.ts).
import { writeSecretFileSync } from "../core/secret-file-node.ts";
import { type EspSaEntry, espSaUatFile } from "./esp-sa.ts";

export function writeEspSaFile(path: string, entries: readonly EspSaEntry[]): void {
  writeSecretFileSync(path, espSaUatFile(entries));
}
