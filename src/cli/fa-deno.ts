// The Deno Forwarding Agent command (the server itself: src/fa/server/deno.ts). Runnable:
//   deno run --unstable-net -A src/cli/fa-deno.ts --udp 127.0.0.1:PORT --wt 127.0.0.1:PORT
//     --cert CERT.pem --key KEY.pem [--ws 127.0.0.1:PORT] [--id FILE] [--puzzle off|on|auto]
//     [--lease-max S] [--store memory|redis://HOST:PORT]
// It prints one JSON line {"msg":"fa ready", hit, udp, wt, ws} once every listener is bound
// (port 0 = any; the bound ports are reported), then JSON logs; SIGINT/SIGTERM stop it.
import { cryptoRng } from "../core/rng.ts";
import type { Locator } from "../core/types.ts";
import type { FaConfig, PuzzleMode } from "../fa/core/config.ts";
import { hitText } from "../fa/server/log-format.ts";
import { DenoFaServer } from "../fa/server/deno.ts";
import { hitToString } from "../hip/hit.ts";
import { HostIdentity } from "../hip/identity.ts";
import { decodeKeyfile, encodeKeyfile } from "../hip/keyfile.ts";
import { parseLocator } from "../transport/types.ts";
import { CliError, UsageError } from "./errors.ts";
import { openDenoStore } from "./fa-deno-store.ts";
import { FA_LIMIT_OPTIONS, faLimits } from "./limit-options.ts";
import { type CommandSpec, helpText, parseCommand, usageLine } from "./options.ts";

export const DENO_FA_SPEC: CommandSpec = {
  name: "fa-deno",
  program: "deno run --unstable-net -A src/cli/fa-deno.ts",
  summary: "run a Forwarding Agent on Deno: UDP locators plus WebTransport (and WebSocket) tunnels for browsers and Workers",
  options: [
    { name: "udp", arg: "IP:PORT", required: true, repeat: true, help: "UDP control locator to bind (port 0 = any; the bound port is in the ready line)" },
    { name: "wt", arg: "IP:PORT", default: "none", example: "127.0.0.1:4433", help: "also accept WebTransport tunnels (QUIC) on this locator; needs --cert and --key" },
    { name: "cert", arg: "PEM", default: "none", help: "with --wt: TLS certificate file (PEM)" },
    { name: "key", arg: "PEM", default: "none", help: "with --wt: TLS private key file (PEM)" },
    { name: "ws", arg: "IP:PORT", default: "none", example: "127.0.0.1:8080", help: "also accept WebSocket tunnels on this TCP locator" },
    { name: "id", arg: "FILE", default: "a fresh identity", help: "identity keyfile; created (mode 0600) if it does not exist" },
    { name: "puzzle", arg: "off|on|auto", default: "auto", help: "ask FAQ senders to solve a puzzle first: never, always, or under load" },
    { name: "lease-max", arg: "SECONDS", default: "3600", help: "longest lease granted (draft §5.1)" },
    { name: "store", arg: "memory|URL", default: "memory", example: "redis://127.0.0.1:6379", help: "lease store: in memory, or redis://HOST:PORT[/DB][?prefix=NAME] shared with other FA processes (Node or Deno; ioredis from node_modules)" },
    ...FA_LIMIT_OPTIONS,
  ],
  notes: ["Logs are JSON lines on stdout; the first is {\"msg\":\"fa ready\", hit, udp, wt, ws}. SIGINT/SIGTERM stop it. Exit 2 on a usage error."],
  examples: ["deno run --unstable-net -A src/cli/fa-deno.ts --udp 127.0.0.1:10500 --wt 127.0.0.1:4433 --cert cert.pem --key key.pem"],
};

export interface DenoCli {
  args: string[];
  readTextFile(p: string): Promise<string>;
  writeTextFile(p: string, t: string, o: { mode: number }): Promise<void>;
  addSignalListener(sig: "SIGINT" | "SIGTERM", f: () => void): void;
  exit(code: number): never;
}

async function identityFrom(cli: DenoCli, path: string | undefined): Promise<HostIdentity> {
  if (!path) return HostIdentity.generate(cryptoRng);
  const text = await cli.readTextFile(path).catch(() => undefined);
  if (text !== undefined) {
    const r = decodeKeyfile(text);
    if (!r.ok) throw new Error(`${path}: ${r.error}`);
    return r.identity;
  }
  const id = HostIdentity.generate(cryptoRng);
  await cli.writeTextFile(path, encodeKeyfile(id), { mode: 0o600 });
  return id;
}

export async function main(cli: DenoCli): Promise<number> {
  const out = (rec: Record<string, unknown>) => console.log(JSON.stringify({ t: new Date().toISOString(), ...rec }));
  const bad = (m: string) => {
    console.error(`fa (deno): ${m}\n${usageLine(DENO_FA_SPEC)}`);
    return 2;
  };
  let a: ReturnType<typeof parseCommand>;
  let limits: Partial<FaConfig> = {};
  try {
    a = parseCommand(DENO_FA_SPEC, cli.args);
    if (a) limits = faLimits(a);
  } catch (e) {
    if (e instanceof UsageError) return bad(e.message);
    throw e;
  }
  if (!a) return 0;
  const udp = a.getAll("udp").map((s) => parseLocator(s));
  const wt = a.get("wt") === undefined ? undefined : parseLocator(a.get("wt")!);
  const ws = a.get("ws") === undefined ? undefined : parseLocator(a.get("ws")!);
  const puzzle = (a.get("puzzle") ?? "auto") as PuzzleMode;
  if (udp.length === 0 || udp.some((u) => !u) || (a.has("wt") && !wt) || (a.has("ws") && !ws)) return bad("bad or missing locator (IP:PORT)");
  if (wt && (!a.get("cert") || !a.get("key"))) return bad("--wt needs --cert and --key (PEM)");
  if (!["off", "on", "auto"].includes(puzzle)) return bad("--puzzle must be off, on or auto");
  const config: Partial<FaConfig> = { puzzle };
  if (a.int("lease-max") !== undefined) config.leaseMax = a.int("lease-max")!;
  Object.assign(config, limits);
  let leaseStore: Awaited<ReturnType<typeof openDenoStore>>;
  try {
    leaseStore = await openDenoStore(a.get("store"), out);
  } catch (e) {
    if (e instanceof UsageError) return bad(e.message);
    if (e instanceof CliError) {
      console.error(`fa (deno): ${e.message}`);
      return 1;
    }
    throw e;
  }
  let server: DenoFaServer;
  try {
    const identity = await identityFrom(cli, a.get("id"));
    server = await DenoFaServer.start({
      identity,
      udp: udp as Locator[],
      config,
      ...(leaseStore ? { leaseStore } : {}),
      wt: wt ? { locator: wt, cert: await cli.readTextFile(a.get("cert")!), key: await cli.readTextFile(a.get("key")!) } : undefined,
      ws,
      log: out,
    });
  } catch (e) {
    await leaseStore?.close();
    throw e;
  }
  out({ level: "info", msg: "fa ready", hit: hitToString(server.fa.hit), udp: server.udp, wt: server.wtLocator, ws: server.wsLocator });
  await new Promise<void>((resolve) => {
    for (const sig of ["SIGINT", "SIGTERM"] as const) cli.addSignalListener(sig, () => resolve());
  });
  const stats = server.fa.stats();
  out({ level: "info", msg: "fa stopping", ...stats, faHit: hitText(stats.faHit), ...(server.storeStats ? { store: server.storeStats } : {}) });
  await server.close();
  return 0;
}

/** For `--help` outside Deno (README table, tests). */
export const denoFaHelp = (): string => helpText(DENO_FA_SPEC);

if ((import.meta as { main?: boolean }).main) {
  const cli = (globalThis as unknown as { Deno: DenoCli }).Deno;
  cli.exit(await main(cli));
}
