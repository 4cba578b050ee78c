// Node-only: files holding secrets (identity keys, tshark ESP keys) are created mode 0600 by the
// very call that creates them, so no other user can ever open them (ARCHITECTURE.md "Rules").
// A mode given to open() is only narrowed by the umask, never widened: 0600 even with umask 0.
// Replacing: write a fresh 0600 temp file in the same directory, then rename it over the target
// (atomic; the target's old mode and content are never reused). Never chmod after writing.
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

export const SECRET_MODE = 0o600;

function writeAll(fd: number, data: Uint8Array): void {
  for (let off = 0; off < data.length; ) off += writeSync(fd, data, off, data.length - off);
}

/** Create `path` (must not exist: EEXIST otherwise) mode 0600 and write `data`. */
export function createSecretFileSync(path: string, data: Uint8Array | string): void {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const fd = openSync(path, "wx", SECRET_MODE);
  try {
    writeAll(fd, bytes);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    unlinkSync(path);
    throw e;
  }
  closeSync(fd);
}

/**
 * Write `data` to `path` mode 0600, replacing it if it exists (temp file + rename). Readers never
 * see a half-written file.
 */
export function writeSecretFileSync(path: string, data: Uint8Array | string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  createSecretFileSync(tmp, data);
  try {
    renameSync(tmp, path);
  } catch (e) {
    unlinkSync(tmp);
    throw e;
  }
}
