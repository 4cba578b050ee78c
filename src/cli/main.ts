// hipmm command line. Each subcommand lives in its own file and returns an exit code.
import { loadWasmSync } from "../wasm/loader.ts";

const usage = `usage: hipmm <command> [options]
commands:
  demo                      the main end-to-end scenario on loopback (npm start)
  help                      this text`;

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case "demo": {
      const w = loadWasmSync();
      console.log(`hipmm wasm abi ${w.abiVersion()} ${rest.join(" ")}`);
      return 0;
    }
    case undefined:
    case "help":
    case "--help":
      console.log(usage);
      return 0;
    default:
      console.error(`hipmm: unknown command '${cmd}'\n${usage}`);
      return 2;
  }
}
