// Node-only: write tshark esp_sa UAT lines to a file readable by its owner only (keys inside).
import { chmodSync, writeFileSync } from "node:fs";
import { type EspSaEntry, espSaUatFile } from "./esp-sa.ts";

export function writeEspSaFile(path: string, entries: readonly EspSaEntry[]): void {
  // Restrict first (mode is ignored for an existing file), then write the keys.
  writeFileSync(path, "", { mode: 0o600 });
  chmodSync(path, 0o600);
  writeFileSync(path, espSaUatFile(entries));
}
