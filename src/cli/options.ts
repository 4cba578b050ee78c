// Declarative options for the hipmm subcommands: one table entry per option gives the parser,
// the one-line usage and the `--help` text (description, default, examples). Adding a flag to
// a command = adding one `OptionDef` to its table. Parse errors are UsageErrors (exit 2).
import { Args, parseArgs } from "./args.ts";
import { UsageError } from "./errors.ts";

export interface OptionDef {
  /** Long name without dashes: "listen". */
  readonly name: string;
  /** One-letter alias without dash: "o". */
  readonly short?: string;
  /** Placeholder of the value ("FILE", "IP:PORT", "N"); absent for a boolean switch. */
  readonly arg?: string;
  /** May be given more than once (all values kept, in order). */
  readonly repeat?: boolean;
  /** Required: shown outside brackets in the usage line and checked by parseCommand. */
  readonly required?: boolean;
  /** Default shown in --help ("5000", "off", "none"). */
  readonly default?: string;
  /** What it does (one sentence or two; --help wraps nothing, keep it short). */
  readonly help: string;
  /** Example value for --help ("127.0.0.1:10500"); derived from `arg` when absent (exampleOf). */
  readonly example?: string;
}

export interface CommandSpec {
  /** Subcommand name: "host". */
  readonly name: string;
  /** How it is invoked, when not `hipmm <name>` (e.g. the Deno FA script). */
  readonly program?: string;
  /** One-line description (also in `hipmm --help`). */
  readonly summary: string;
  /** Positional part of the usage line ("<scenario>", "[FILE | -]"), if any. */
  readonly positionals?: string;
  /** Extra usage forms shown verbatim (e.g. for commands with alternative modes). */
  readonly forms?: readonly string[];
  readonly options: readonly OptionDef[];
  /** Paragraphs after the option list. */
  readonly notes?: readonly string[];
  /** Example command lines. */
  readonly examples?: readonly string[];
}

const HELP: OptionDef = { name: "help", short: "h", help: "print this help and exit" };

function withHelp(spec: CommandSpec): readonly OptionDef[] {
  return spec.options.some((o) => o.name === "help") ? spec.options : [...spec.options, HELP];
}

function program(spec: CommandSpec): string {
  return spec.program ?? `hipmm ${spec.name}`;
}

function optText(o: OptionDef): string {
  return o.arg ? `--${o.name} ${o.arg}` : `--${o.name}`;
}

// Example values by placeholder (the value a reader would type first); FILE by option name.
const PLACEHOLDER_EXAMPLES: Readonly<Record<string, string>> = {
  "IP:PORT": "127.0.0.1:10500",
  "[HIT@]IP:PORT": "127.0.0.1:10500",
  IP: "127.0.0.1",
  HIT: "2001:2a:b38c:5a9e:5b7c:4f8d:b4f4:41d0",
  HITS: "2001:2a:b38c:5a9e:5b7c:4f8d:b4f4:41d0,2001:2a:10e9:4b34:7d48:dd9f:2e35:a8b1",
  "IP:LO-HI": "[::1]:20000-20015",
  "IF[,IF…]": "eth0,wlan0",
  HEX: "3b04…",
};
const FILE_EXAMPLES: Readonly<Record<string, string>> = { id: "a.key", out: "a.key", pcap: "a.pcap", "esp-sa": "a.esp_sa", store: "fa.db", "stats-file": "stats.jsonl", "fleet-key": "fleet.secret" };

/** Example value of a valued option: its own, else one derived from its placeholder and default. */
export function exampleOf(o: OptionDef): string | undefined {
  if (!o.arg) return undefined;
  if (o.example !== undefined) return o.example;
  if (o.arg === "FILE" || o.arg === "PEM") return FILE_EXAMPLES[o.name] ?? `${o.name}.${o.arg === "PEM" ? "pem" : "txt"}`;
  if (PLACEHOLDER_EXAMPLES[o.arg] !== undefined) return PLACEHOLDER_EXAMPLES[o.arg];
  if (o.arg.includes("|")) return o.arg.split("|").find((c) => c !== o.default) ?? o.arg.split("|")[0];
  // A value other than the default: a list reordered, a number doubled.
  const d = o.default?.split(" ")[0];
  if (d !== undefined && /^\d+(,\d+)+$/.test(d)) return d.split(",").reverse().join(",");
  if (d !== undefined && /^\d+$/.test(d)) return String(Number(d) === 0 ? 1 : Number(d) * 2);
  return { N: "4", MS: "1000", SECONDS: "60", BYTES: "56", LIST: "8,7" }[o.arg];
}

/** `usage: hipmm host --id FILE --listen IP:PORT… [--connect [HIT@]IP:PORT] …` */
export function usageLine(spec: CommandSpec): string {
  if (spec.forms?.length) return `usage: ${program(spec)} ${spec.forms[0]}`;
  const parts = spec.options.map((o) => {
    const t = `${o.short ? `-${o.short}${o.arg ? ` ${o.arg}` : ""}` : optText(o)}${o.repeat ? "…" : ""}`;
    return o.required ? t : `[${t}]`;
  });
  // `<scenario>` reads best first, `(FILE | -)` last.
  if (spec.positionals?.startsWith("<")) parts.unshift(spec.positionals);
  else if (spec.positionals) parts.push(spec.positionals);
  return `usage: ${program(spec)} ${parts.join(" ")}`;
}

/** The full `--help` text. */
export function helpText(spec: CommandSpec): string {
  const lines = [usageLine(spec)];
  for (const f of spec.forms?.slice(1) ?? []) lines.push(`       ${program(spec)} ${f}`);
  lines.push("", spec.summary, "", "options:");
  const opts = withHelp(spec);
  const heads = opts.map((o) => `${o.short ? `-${o.short}, ` : "    "}${optText(o)}`);
  const w = Math.min(32, Math.max(...heads.map((h) => h.length)) + 2);
  opts.forEach((o, i) => {
    const ex = exampleOf(o);
    const dflt = o.required || o === HELP ? "" : `default: ${o.default ?? (o.arg ? "none" : "off")}`;
    const extra = [o.required ? "required" : "", o.repeat ? "repeatable" : "", dflt, ex !== undefined ? `e.g. --${o.name} ${ex}` : ""].filter(Boolean);
    const text = `${o.help}${extra.length ? ` (${extra.join("; ")})` : ""}`;
    const head = `  ${heads[i]}`;
    lines.push(head.length + 1 >= w + 2 ? `${head}\n${" ".repeat(w + 2)}${text}` : `${head.padEnd(w + 2)}${text}`);
  });
  if (spec.notes?.length) lines.push("", ...spec.notes);
  if (spec.examples?.length) lines.push("", "examples:", ...spec.examples.map((e) => `  ${e}`));
  return lines.join("\n");
}

/**
 * Parse `argv` against the table. Throws UsageError (one line naming the option) on an unknown
 * option, a missing value, a repeated non-repeatable option or a missing required option.
 * Returns undefined after printing the help for `-h` / `--help`.
 */
export function parseCommand(spec: CommandSpec, argv: readonly string[], out: (text: string) => void = (t) => console.log(t)): Args | undefined {
  const opts = withHelp(spec);
  const aliases: Record<string, string> = {};
  for (const o of opts) if (o.short) aliases[o.short] = o.name;
  const p = parseArgs(argv, { flags: opts.filter((o) => !o.arg).map((o) => o.name), options: opts.filter((o) => o.arg).map((o) => o.name), aliases });
  if (!p.ok) throw new UsageError(p.error);
  const a = p.args;
  if (a.has("help")) {
    out(helpText(spec));
    return undefined;
  }
  for (const o of opts) {
    if (o.arg && !o.repeat && a.getAll(o.name).length > 1) throw new UsageError(`--${o.name} given more than once`);
    if (o.required && !a.has(o.name)) throw new UsageError(`${o.short ? `-${o.short}${o.arg ? ` ${o.arg}` : ""}` : optText(o)} is required`);
  }
  return a;
}

/** Integer option within [min, max]; `undefined` when absent. */
export function intOption(a: Args, name: string, min: number, max: number): number | undefined {
  const s = a.get(name);
  if (s === undefined) return undefined;
  const v = a.int(name);
  if (v === undefined || !Number.isInteger(v) || v < min || v > max) throw new UsageError(`--${name} ${s}: want an integer from ${min} to ${max}`);
  return v;
}

/** Positive number option (seconds etc., decimals allowed); `undefined` when absent. */
export function numberOption(a: Args, name: string, min: number, max: number): number | undefined {
  const s = a.get(name);
  if (s === undefined) return undefined;
  const v = /^\d+(\.\d+)?$/.test(s) ? Number(s) : Number.NaN;
  if (!(v >= min && v <= max)) throw new UsageError(`--${name} ${s}: want a number from ${min} to ${max}`);
  return v;
}

/** One of `choices`; `undefined` when absent. */
export function choiceOption<T extends string>(a: Args, name: string, choices: readonly T[]): T | undefined {
  const s = a.get(name);
  if (s === undefined) return undefined;
  if (!(choices as readonly string[]).includes(s)) throw new UsageError(`--${name} ${s}: want one of ${choices.join(", ")}`);
  return s as T;
}

export { Args };
