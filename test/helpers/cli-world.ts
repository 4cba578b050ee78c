// Tests with real `hipmm` processes: a temporary directory, identities made by `hipmm keygen`,
// commands started from the TypeScript sources, and everything killed and removed afterwards.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Proc } from "./proc.ts";

const CLI = join(import.meta.dirname, "..", "e2e", "fixtures", "cli.ts");

export interface CliWorld {
  dir: string;
  /** Keyfiles, one per name given. */
  keys: string[];
  /** Their HITs (text). */
  hits: string[];
  /** `hipmm <args…>` as a child process (killed at the end if still running). */
  hipmm(args: string[], waitMs?: number): Proc;
}

/** Runs `fn` with one identity per name in `ids`; cleans up whatever happens. */
export async function withCliWorld(ids: string[], fn: (w: CliWorld) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "hipmm-cli-"));
  const procs: Proc[] = [];
  try {
    const keys = ids.map((id) => join(dir, `${id}.key`));
    const hits = keys.map((k) => {
      const r = spawnSync(process.execPath, ["--import", "tsx", CLI, "keygen", "-o", k], { encoding: "utf8", timeout: 20_000 });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim();
    });
    const hipmm = (args: string[], waitMs = 20_000): Proc => {
      const p = new Proc(["--import", "tsx", CLI, ...args], waitMs);
      procs.push(p);
      return p;
    };
    await fn({ dir, keys, hits, hipmm });
  } finally {
    for (const p of procs) p.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}
