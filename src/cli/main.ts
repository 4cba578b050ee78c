// hipmm command line. Each subcommand lives in its own file under src/cli/ and returns an
// exit code; register it in `commands` below (one line each). A subcommand may throw: a
// CliError / UsageError (errors.ts) prints as one line naming the option, exit 1 / 2; anything
// else prints as one line too, exit 1 (the stack only with `--debug` or HIPMM_DEBUG=1).
import { debug, errorContext, report } from "./errors.ts";
import { useEmbeddedWasm } from "../wasm/loader.ts";

// This entry embeds the WASM module: the default of every DataPlane made without one (src/wasm/loader.ts).
useEmbeddedWasm();

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
  const lines = ["usage: hipmm [--debug] <command> [options]   (hipmm <command> --help for its options)", "commands:"];
  for (const [name, load] of Object.entries(commands)) lines.push(`  ${name.padEnd(10)} ${(await load()).summary}`);
  lines.push("", "--debug (or HIPMM_DEBUG=1): print the stack trace of an unexpected error.");
  return lines.join("\n");
}

/** `--debug` anywhere before `--` turns on stack traces; it is removed from argv. */
function takeDebug(argv: string[]): string[] {
  const end = argv.indexOf("--");
  const head = end < 0 ? argv : argv.slice(0, end);
  if (!head.includes("--debug")) return argv;
  debug.on = true;
  return [...head.filter((a) => a !== "--debug"), ...(end < 0 ? [] : argv.slice(end))];
}

let exiting = false;
/** An error escaped the command (a socket's 'error' event, a rejected promise): one line, exit 1. */
function fatal(cmd: string, e: unknown): void {
  if (exiting) return;
  exiting = true;
  process.exitCode = report(cmd, e);
  process.exit();
}

export async function main(argv: string[]): Promise<number> {
  let [cmd, ...rest] = takeDebug(argv);
  // `hipmm help host` = `hipmm host --help`.
  if (cmd === "help" && rest.length === 1 && Object.hasOwn(commands, rest[0])) [cmd, rest] = [rest[0], ["--help"]];
  if (cmd === undefined || cmd === "help" || cmd === "--help" || cmd === "-h") {
    console.log(await usage());
    return 0;
  }
  const load = Object.hasOwn(commands, cmd) ? commands[cmd] : undefined;
  if (!load) {
    console.error(`hipmm: unknown command '${cmd}' (see hipmm --help)`);
    return 2;
  }
  const onFatal = (e: unknown) => fatal(cmd, e);
  process.on("uncaughtException", onFatal);
  process.on("unhandledRejection", onFatal);
  try {
    return await (await load()).run(rest);
  } catch (e) {
    const code = report(cmd, e);
    // Whatever the failed command left open (a bound socket, a timer) must not keep us alive.
    setTimeout(() => process.exit(code), 1000).unref();
    return code;
  } finally {
    errorContext.describe = undefined;
    process.off("uncaughtException", onFatal);
    process.off("unhandledRejection", onFatal);
  }
}
