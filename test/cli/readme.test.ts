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
import { exampleOf, helpText, parseCommand } from "../../src/cli/options.ts";
import { SAMPLE_SPEC } from "../../src/cli/sample.ts";
import { hitFromString } from "../../src/hip/hit.ts";
import { BEGIN, CLI_SPECS, END, optionsMarkdown, withOptions } from "../../scripts/cli-options-md.ts";

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

test("--help: every option shows its default (or required) and every valued option an example that parses", () => {
  for (const spec of CLI_SPECS) {
    const h = helpText(spec);
    const required = spec.options.filter((o) => o.required).flatMap((o) => [`--${o.name}`, exampleOf(o) ?? ""]);
    for (const o of spec.options) {
      const lines = h.split("\n");
      const i = lines.findIndex((l) => l.trimStart().startsWith(`--${o.name}${o.arg ? ` ${o.arg}` : ""}`) || l.includes(`, --${o.name}`));
      assert.ok(i >= 0, `${spec.name} --${o.name} has a help line`);
      // A long option head puts its description on the next line.
      const line = /^ {8,}[^ -]/.test(lines[i + 1] ?? "") ? `${lines[i]} ${lines[i + 1]}` : lines[i];
      assert.match(line, o.required ? /\(required/ : /default: /, `${spec.name} --${o.name}: default or required`);
      if (!o.arg) continue;
      const ex = exampleOf(o);
      assert.ok(ex, `${spec.name} --${o.name} ${o.arg}: an example (OptionDef.example or a known placeholder)`);
      assert.ok(line.includes(`e.g. --${o.name} ${ex}`), `${spec.name} --${o.name}: example in --help`);
      if (o.arg === "HIT" || o.arg === "HITS") for (const x of ex.split(",")) assert.ok(hitFromString(x), `${spec.name} --${o.name} example ${x} is a HIT`);
      const argv = o.required ? required : [...required, `--${o.name}`, ex];
      assert.ok(parseCommand(spec, argv, () => {}), `${spec.name} ${argv.join(" ")} parses`);
    }
  }
});

test("README: the options tables are the generated ones (npx tsx scripts/cli-options-md.ts)", () => {
  const readme = readFileSync(join(import.meta.dirname, "..", "..", "README.md"), "utf8");
  assert.ok(readme.includes(BEGIN) && readme.includes(END), "README has the cli-options markers");
  assert.equal(withOptions(readme), readme, "README options block differs from the option tables: run npx tsx scripts/cli-options-md.ts");
  const md = optionsMarkdown();
  for (const spec of CLI_SPECS) for (const o of spec.options) assert.ok(md.includes(`--${o.name}`), `--${o.name} in the generated tables`);
});
