// The README's command table names every option of every subcommand (the option tables in
// src/cli are the source of truth; `--help` is generated from them).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { DECODE_SPEC } from "../../src/cli/decode.ts";
import { DEMO_SPEC } from "../../src/cli/demo.ts";
import { FA_SPEC } from "../../src/cli/fa-options.ts";
import { HOST_SPEC } from "../../src/cli/host-options.ts";
import { KEYGEN_SPEC } from "../../src/cli/keygen.ts";
import { LAB_SPEC } from "../../src/cli/lab.ts";
import { helpText } from "../../src/cli/options.ts";
import { SAMPLE_SPEC } from "../../src/cli/sample.ts";

const SPECS = [HOST_SPEC, FA_SPEC, KEYGEN_SPEC, DEMO_SPEC, LAB_SPEC, DECODE_SPEC, SAMPLE_SPEC];

test("README: each subcommand's row lists all its options", () => {
  const readme = readFileSync(join(import.meta.dirname, "..", "..", "README.md"), "utf8");
  const missing: string[] = [];
  for (const spec of SPECS) {
    const row = readme.split("\n").find((l) => l.startsWith(`| \`hipmm ${spec.name} `) || l.startsWith(`| \`hipmm ${spec.name}\``));
    if (!row) {
      missing.push(`no README row for hipmm ${spec.name}`);
      continue;
    }
    const cell = row.split("` |")[0];
    for (const o of spec.options) if (!cell.includes(`--${o.name}`) && !(o.short && cell.includes(`-${o.short} `))) missing.push(`hipmm ${spec.name}: --${o.name} not in the README row`);
  }
  assert.deepEqual(missing, []);
});

test("--help of each subcommand describes every option, with defaults, and -h/--help", () => {
  for (const spec of SPECS) {
    const h = helpText(spec);
    assert.match(h, new RegExp(`^usage: hipmm ${spec.name} `));
    for (const o of spec.options) {
      const line = h.split("\n").find((l) => l.includes(`--${o.name}${o.arg ? ` ${o.arg}` : ""} `) || l.endsWith(`--${o.name}${o.arg ? ` ${o.arg}` : ""}`));
      assert.ok(line, `${spec.name} --${o.name} in --help`);
      assert.ok(o.help.length > 10, `${spec.name} --${o.name} has a description`);
      if (o.default !== undefined) assert.ok(h.includes(`default: ${o.default}`), `${spec.name} --${o.name} default`);
    }
    assert.match(h, /-h, --help/);
  }
});
