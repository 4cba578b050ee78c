// Tiny argv parser shared by the hipmm subcommands. Accepts `--name value`, `--name=value`,
// boolean `--flag`, short aliases (`-o` → `--out`), repeated options (getAll), `-` as a
// positional (stdin) and `--` to end options. Unknown options are an error, not a guess.

export interface ArgSpec {
  /** Boolean switches, without dashes: ["json", "esp"]. */
  readonly flags?: readonly string[];
  /** Options taking a value, without dashes: ["hex", "pcap", "seed"]. */
  readonly options?: readonly string[];
  /** Short or alternative names: { o: "out", h: "help" }. */
  readonly aliases?: Readonly<Record<string, string>>;
}

export class Args {
  constructor(
    readonly flags: ReadonlySet<string>,
    readonly values: ReadonlyMap<string, readonly string[]>,
    readonly positionals: readonly string[],
  ) {}

  has(name: string): boolean {
    return this.flags.has(name) || this.values.has(name);
  }
  /** Last value given for an option. */
  get(name: string): string | undefined {
    const v = this.values.get(name);
    return v === undefined ? undefined : v[v.length - 1];
  }
  getAll(name: string): readonly string[] {
    return this.values.get(name) ?? [];
  }
  /** Integer option (decimal or 0x hex); undefined when absent, NaN when malformed. */
  int(name: string): number | undefined {
    const s = this.get(name);
    if (s === undefined) return undefined;
    return /^(0x[0-9a-f]+|-?\d+)$/i.test(s) ? Number(s) : Number.NaN;
  }
}

export type ParseResult = { ok: true; args: Args } | { ok: false; error: string };

export function parseArgs(argv: readonly string[], spec: ArgSpec): ParseResult {
  const flagNames = new Set(spec.flags ?? []);
  const optNames = new Set(spec.options ?? []);
  const flags = new Set<string>();
  const values = new Map<string, string[]>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a === "-" || !a.startsWith("-")) {
      positionals.push(a);
      continue;
    }
    const body = a.replace(/^--?/, "");
    const eq = body.indexOf("=");
    const rawName = eq >= 0 ? body.slice(0, eq) : body;
    const name = spec.aliases?.[rawName] ?? rawName;
    if (flagNames.has(name)) {
      if (eq >= 0) return { ok: false, error: `option --${name} takes no value` };
      flags.add(name);
    } else if (optNames.has(name)) {
      let value: string;
      if (eq >= 0) value = body.slice(eq + 1);
      else if (i + 1 < argv.length) value = argv[++i];
      else return { ok: false, error: `option --${name} needs a value` };
      const list = values.get(name);
      if (list) list.push(value);
      else values.set(name, [value]);
    } else {
      return { ok: false, error: `unknown option ${a}` };
    }
  }
  return { ok: true, args: new Args(flags, values, positionals) };
}
