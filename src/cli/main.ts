// hipmm command line. Each subcommand lives in its own file under src/cli/ and returns an
// exit code; register it in `commands` below (one line each).
export type Command = { summary: string; run: (argv: string[]) => Promise<number> };

const commands: Record<string, () => Promise<Command>> = {
  demo: async () => (await import("./demo.ts")).command,
  keygen: async () => (await import("./keygen.ts")).command,
  decode: async () => (await import("./decode.ts")).command,
  sample: async () => (await import("./sample.ts")).command,
  lab: async () => (await import("./lab.ts")).command,
  fa: async () => (await import("./fa.ts")).command,
  host: async () => (await import("./host.ts")).command,
  // ↑ subcommands are added above this line, e.g.  decode: async () => (await import("./decode.ts")).command,
};

async function usage(): Promise<string> {
  const lines = ["usage: hipmm <command> [options]", "commands:"];
  for (const [name, load] of Object.entries(commands)) lines.push(`  ${name.padEnd(10)} ${(await load()).summary}`);
  return lines.join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === "help" || cmd === "--help" || cmd === "-h") {
    console.log(await usage());
    return 0;
  }
  const load = commands[cmd];
  if (!load) {
    console.error(`hipmm: unknown command '${cmd}'\n${await usage()}`);
    return 2;
  }
  return (await load()).run(rest);
}
