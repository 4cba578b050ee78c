// Run tshark (Wireshark 4.x) on capture files with a hard timeout, and read its JSON / field
// output. PROFILE §4: its HIP dissector follows RFC 5201, so trust its header, checksum and
// TLV walk (type/length), never its parameter contents.
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runProcess } from "./process.ts";

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** Lua demultiplexer for UDP/10500: zero marker → HIP, other datagrams → ESP. */
export const espDemuxLua = join(repoRoot, "test", "tshark", "esp-demux.lua");

export function findTshark(): string | undefined {
  if (process.env.TSHARK && existsSync(process.env.TSHARK)) return process.env.TSHARK;
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const p = join(dir, "tshark");
    if (dir && existsSync(p)) return p;
  }
  return existsSync("/usr/bin/tshark") ? "/usr/bin/tshark" : undefined;
}

/**
 * node:test `skip` value: a message when tshark is missing and we are not on CI; on CI
 * (env CI set) false, so the test runs and fails loudly.
 */
export function tsharkSkip(): string | false {
  if (findTshark() || process.env.CI) return false;
  return "tshark not installed (apt-get install tshark); set CI=1 to make this a failure";
}

export interface TsharkResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface TsharkOptions {
  /** Extra arguments before the output options, e.g. ["-o", "esp.enable_encryption_decode:TRUE"]. */
  args?: readonly string[];
  /** `-X lua_script:FILE` scripts. */
  lua?: readonly string[];
  /** Display filter (-Y). */
  filter?: string;
  /** SIGKILL after this long; default 15 s. */
  timeoutMs?: number;
}

let configDir: string | undefined;

/** `tshark -n -r FILE …` with an empty, throw-away configuration (no user prefs leak in). */
export async function runTshark(file: string, outArgs: readonly string[], o: TsharkOptions = {}): Promise<TsharkResult> {
  const bin = findTshark();
  if (!bin) throw new Error("tshark not found");
  const args = ["-n", "-r", file, ...(o.args ?? [])];
  for (const l of o.lua ?? []) args.push("-X", `lua_script:${l}`);
  if (o.filter) args.push("-Y", o.filter);
  args.push(...outArgs);
  configDir ??= mkdtempSync(join(tmpdir(), "hipmm-tshark-"));
  const env = { ...process.env, LC_ALL: "C", WIRESHARK_CONFIG_DIR: configDir };
  const r = await runProcess(bin, args, { timeoutMs: o.timeoutMs ?? 15_000, env });
  return { code: r.code, stdout: r.stdout, stderr: stripNoise(r.stderr), timedOut: r.timedOut };
}

function stripNoise(s: string): string {
  return s
    .split("\n")
    .filter((l) => !/^Running as user "root"/.test(l))
    .join("\n");
}

function check(r: TsharkResult): void {
  if (r.timedOut) throw new Error(`tshark timed out\n${r.stderr}`);
  if (r.code !== 0) throw new Error(`tshark exited ${r.code}\n${r.stderr}`);
}

/** One row per frame, one column per field (`-T fields -e …`); multi-occurrence values split on ",". */
export async function tsharkFields(file: string, fields: readonly string[], o: TsharkOptions = {}): Promise<string[][][]> {
  const out = ["-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,"];
  for (const f of fields) out.push("-e", f);
  const r = await runTshark(file, out, o);
  check(r);
  return r.stdout
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => l.split("\t").map((c) => (c === "" ? [] : c.split(","))));
}

/** The `-T json` tree: one object per frame (its `_source.layers`). */
export async function tsharkJson(file: string, o: TsharkOptions & { protocols?: readonly string[] } = {}): Promise<Record<string, unknown>[]> {
  const out = ["-T", "json"];
  if (o.protocols?.length) out.push("-J", o.protocols.join(" "));
  const r = await runTshark(file, out, o);
  check(r);
  const frames = JSON.parse(r.stdout || "[]") as { _source: { layers: Record<string, unknown> } }[];
  return frames.map((f) => f._source.layers);
}
