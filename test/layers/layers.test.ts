// The layer rule of docs/ARCHITECTURE.md, checked on the code: every relative import in src/ and
// assembly/ (static, type-only, re-export and dynamic) points to the same or a lower layer, per the
// table in ARCHITECTURE.md (read from the document, so table and check cannot drift apart).
// Also: the sans-I/O cores import no I/O packages and name no clock, timer or random source.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { test } from "node:test";
import ts from "typescript";

const ROOT = join(import.meta.dirname, "..", "..");
const DOC = readFileSync(join(ROOT, "docs", "ARCHITECTURE.md"), "utf8");

type Rank = number | "aside";
interface Layer {
  rank: Rank;
  folder: string;
}

/** Rows of the "Layers" table: `| 3 hip | \`src/hip/\` | … |`, `| aside | \`src/capture/\`, … |`. */
export function layerTable(doc: string): Layer[] {
  const out: Layer[] = [];
  for (const line of doc.split("\n")) {
    const m = /^\|\s*(\d+|aside)\b[^|]*\|([^|]*)\|/.exec(line);
    if (!m) continue;
    const rank: Rank = m[1] === "aside" ? "aside" : Number(m[1]);
    for (const f of m[2].matchAll(/`([^`]+\/)`/g)) out.push({ rank, folder: f[1] });
  }
  return out.sort((a, b) => b.folder.length - a.folder.length);
}

const TABLE = layerTable(DOC);
const asideRule = /Asides import layers 0–(\d+) only and are imported from layer (\d+) up/.exec(DOC);

type Where = Rank | "entry" | undefined;

/** Layer of a repository path (posix, relative to the root); "entry" for files at src/ or
 * assembly/ top and in src/entry/ (package entry points). */
function layerOf(path: string): Where {
  if (/^(src|assembly)\/[^/]+$/.test(path) || path.startsWith("src/entry/")) return "entry";
  return TABLE.find((l) => path.startsWith(l.folder))?.rank;
}

/** Why importing `to` from `from` breaks the rule, or undefined when it is allowed. */
function violation(from: Where, to: Where, asideMax: number, asideMinImporter: number): string | undefined {
  if (from === "entry") return undefined;
  if (to === "entry") return "imports an entry point";
  if (from === undefined || to === undefined) return undefined; // reported separately
  if (from === "aside") return to === "aside" || to <= asideMax ? undefined : `an aside imports layer ${to}`;
  if (to === "aside") return from >= asideMinImporter ? undefined : `layer ${from} imports an aside`;
  return to > from ? `layer ${from} imports layer ${to}` : undefined;
}

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory()) out.push(...sources(p));
    else if (e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

/** Relative imports of a file (imports, `import type`, `export … from`, `import()`), resolved. */
function importsOf(path: string): string[] {
  const info = ts.preProcessFile(readFileSync(join(ROOT, path), "utf8"), true, true);
  return info.importedFiles.filter((f) => f.fileName.startsWith(".")).map((f) => normalize(join(dirname(path), f.fileName)).split("\\").join("/"));
}

const FILES = [...sources("src"), ...sources("assembly")];

test("ARCHITECTURE.md: the layer table and the aside rule are readable", () => {
  assert.ok(TABLE.length >= 12, `expected the layer table, read ${TABLE.length} folders`);
  for (const [folder, rank] of [["src/core/", 0], ["src/wire/", 1], ["src/wasm/", 2], ["src/hip/", 3], ["src/mobility/", 4], ["src/fa/", 5], ["src/transport/", 6], ["src/runtime/", 7], ["src/cli/", 8]] as const)
    assert.equal(
      TABLE.find((l) => l.folder === folder)?.rank,
      rank,
      `${folder} is layer ${rank}`,
    );
  assert.ok(asideRule, 'ARCHITECTURE.md states "Asides import layers 0–N only and are imported from layer M up"');
  assert.match(DOC, /package entry points in `src\/entry\/`/, "ARCHITECTURE.md names src/entry/ as entries");
});

test("every folder of src/ and assembly/ is in the layer table", () => {
  const missing = [...new Set(FILES.filter((f) => layerOf(f) === undefined).map((f) => dirname(f)))];
  assert.deepEqual(missing, [], `add these folders to the table in docs/ARCHITECTURE.md: ${missing.join(", ")}`);
});

test("imports point down the layers only (docs/ARCHITECTURE.md)", () => {
  const asideMax = Number(asideRule?.[1] ?? 5);
  const asideMin = Number(asideRule?.[2] ?? 7);
  const bad: string[] = [];
  let checked = 0;
  for (const f of FILES) {
    for (const t of importsOf(f)) {
      checked++;
      const why = violation(layerOf(f), layerOf(t), asideMax, asideMin);
      if (why) bad.push(`${f} -> ${relative(ROOT, join(ROOT, t))} (${why})`);
    }
  }
  assert.ok(checked > 500, `parsed only ${checked} imports`);
  assert.deepEqual(bad, [], `upward imports:\n${bad.join("\n")}`);
});

test("the check catches an upward import (the rule itself)", () => {
  assert.equal(violation(1, 2, 5, 7), "layer 1 imports layer 2");
  assert.equal(violation(5, 8, 5, 7), "layer 5 imports layer 8");
  assert.equal(violation(8, 0, 5, 7), undefined);
  assert.equal(violation(3, "aside", 5, 7), "layer 3 imports an aside");
  assert.equal(violation("aside", 7, 5, 7), "an aside imports layer 7");
  assert.equal(violation(7, "aside", 5, 7), undefined);
  assert.equal(violation(4, "entry", 5, 7), "imports an entry point");
  assert.equal(layerOf("src/fa/server/server.ts"), 7, "the longest folder prefix wins");
  assert.equal(layerOf("src/fa/core/agent.ts"), 5);
  assert.equal(layerOf("src/index.ts"), "entry");
  const wasmWalk = importsOf("src/wasm/wire-walk.ts");
  assert.ok(wasmWalk.includes("src/wire/walk-wasm.ts"), `imports are resolved to repository paths: ${wasmWalk}`);
});

const SANS_IO = ["src/wire/", "src/hip/", "src/mobility/", "src/fa/core/"];
const IO_NAMES = new Set(["Date.now", "performance.now", "Math.random", "crypto.getRandomValues", "setTimeout", "setInterval", "setImmediate", "queueMicrotask"]);

/** Clock / timer / randomness uses in code (comments and strings do not count). */
function ioUses(path: string): string[] {
  const src = ts.createSourceFile(path, readFileSync(join(ROOT, path), "utf8"), ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isPropertyAccessExpression(n) && IO_NAMES.has(n.getText(src))) found.push(n.getText(src));
    else if (ts.isIdentifier(n) && IO_NAMES.has(n.text) && !ts.isPropertyAccessExpression(n.parent)) found.push(n.text);
    ts.forEachChild(n, visit);
  };
  visit(src);
  return found.map((u) => `${path}: ${u}`);
}

test("sans-I/O cores: no I/O packages, clocks, timers or random sources (docs/ARCHITECTURE.md Rules)", () => {
  const bad: string[] = [];
  for (const f of FILES.filter((x) => SANS_IO.some((d) => x.startsWith(d)))) {
    const info = ts.preProcessFile(readFileSync(join(ROOT, f), "utf8"), true, true);
    for (const i of info.importedFiles) if (!i.fileName.startsWith(".") && !i.fileName.startsWith("@noble/")) bad.push(`${f}: imports ${i.fileName}`);
    bad.push(...ioUses(f));
  }
  assert.deepEqual(bad, []);
});

test("one TLV walker: the parameter padding rule (RFC 7401 §5.2.1) is computed in src/wire only", () => {
  // (Length + 4 + 7) & ~7 written out anywhere else means a hand walk; use src/wire/tlv.ts.
  const bad = FILES.filter((f) => !f.startsWith("src/wire/") && !f.startsWith("assembly/wire/")).filter((f) => /\+\s*11\)\s*&\s*~7|\+\s*4\s*\+\s*7\)\s*&\s*~7/.test(readFileSync(join(ROOT, f), "utf8")));
  assert.deepEqual(bad, [], "walk TLVs with src/wire/tlv.ts (readTlv, tlvBytes, tlvIndex) or walkParams");
});
