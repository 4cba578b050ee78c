// `hipmm fa --id FILE --udp IP:PORT [--udp …] [--ws IP:PORT] [--store FILE] [--allow HIT…]
//  [--deny HIT…] [--lease-max S] [--pool6 IP:LO-HI] [--puzzle off|on|auto] [--log json]`:
// run a Forwarding Agent (draft §4.4; docs/PROTOCOL.md §11). The first --udp locators are the
// control locators; IPv4 ones are also the shared IPv4 locators (addr type 4); --pool6 gives
// the dedicated locators for addr type 6. SIGINT/SIGTERM shut down gracefully.
import { cryptoRng } from "../core/rng.ts";
import type { Locator } from "../core/types.ts";
import { type FaConfig, faConfig, type PuzzleMode } from "../fa/core/config.ts";
import { FaServer } from "../fa/server/server.ts";
import { MemoryLeaseStore } from "../fa/store/memory.ts";
import { SqliteLeaseStore } from "../fa/store/sqlite.ts";
import { hitFromString, hitKey } from "../hip/hit.ts";
import { loadOrCreateIdentity } from "../hip/keyfile-node.ts";
import { parseArgs } from "./args.ts";
import type { Command } from "./main.ts";

const USAGE =
  "usage: hipmm fa --id FILE --udp IP:PORT [--udp IP:PORT] [--ws IP:PORT] [--store FILE] [--allow HIT…] [--deny HIT…] [--lease-max SECONDS] [--pool6 IP:LO-HI] [--puzzle off|on|auto] [--log json]";

export function parseLocator(s: string): Locator | undefined {
  const m = /^\[([0-9a-fA-F:.]+)\]:(\d+)$/.exec(s) ?? /^([0-9.]+):(\d+)$/.exec(s);
  if (!m || Number(m[2]) > 65535) return undefined;
  return { ip: m[1], port: Number(m[2]) };
}

function parsePool(s: string): Locator[] | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([0-9.]+)):(\d+)-(\d+)$/.exec(s);
  if (!m) return undefined;
  const ip = m[1] ?? m[2];
  const lo = Number(m[3]);
  const hi = Number(m[4]);
  if (hi < lo || hi > 65535 || hi - lo > 4096) return undefined;
  return Array.from({ length: hi - lo + 1 }, (_, i) => ({ ip, port: lo + i }));
}

function hits(list: readonly string[]): Set<string> | string {
  const out = new Set<string>();
  for (const item of list.flatMap((x) => x.split(","))) {
    const h = hitFromString(item.trim());
    if (!h) return item;
    out.add(hitKey(h));
  }
  return out;
}

export async function fa(argv: string[]): Promise<number> {
  const p = parseArgs(argv, { flags: ["help"], options: ["id", "udp", "ws", "store", "allow", "deny", "lease-max", "pool6", "puzzle", "log"], aliases: { h: "help" } });
  if (!p.ok) {
    console.error(`hipmm fa: ${p.error}\n${USAGE}`);
    return 2;
  }
  const a = p.args;
  if (a.has("help")) {
    console.log(USAGE);
    return 0;
  }
  const udp = a.getAll("udp").map(parseLocator);
  const ws = a.get("ws") === undefined ? undefined : parseLocator(a.get("ws")!);
  const pool = a.getAll("pool6").map(parsePool);
  const allow = hits(a.getAll("allow"));
  const deny = hits(a.getAll("deny"));
  const leaseMax = a.int("lease-max");
  const puzzle = (a.get("puzzle") ?? "auto") as PuzzleMode;
  const bad = (m: string) => {
    console.error(`hipmm fa: ${m}\n${USAGE}`);
    return 2;
  };
  if (!a.get("id") || udp.length === 0) return bad("--id and --udp are required");
  if (udp.some((u) => !u) || (a.has("ws") && !ws)) return bad("bad locator (IP:PORT or [IPv6]:PORT)");
  if (pool.some((x) => !x)) return bad("bad --pool6 (IP:LO-HI)");
  if (typeof allow === "string" || typeof deny === "string") return bad(`not a HIT: ${typeof allow === "string" ? allow : deny}`);
  if (leaseMax !== undefined && !(leaseMax > 0)) return bad("--lease-max must be a positive number of seconds");
  if (!["off", "on", "auto"].includes(puzzle)) return bad("--puzzle must be off, on or auto");
  const json = a.get("log") === "json";
  const log = (rec: Record<string, unknown>) => {
    const t = new Date().toISOString();
    const { msg, level: _level, ...rest } = rec;
    console.log(json ? JSON.stringify({ t, ...rec }) : `${t} ${String(msg)} ${JSON.stringify(rest)}`);
  };
  const identity = await loadOrCreateIdentity(a.get("id")!, cryptoRng);
  const locs = udp as Locator[];
  const partial: Partial<FaConfig> = {
    control: locs,
    shared4: locs.filter((l) => !l.ip.includes(":")),
    pool6: (pool as Locator[][]).flat(),
    allow,
    deny,
    puzzle,
  };
  if (leaseMax !== undefined) partial.leaseMax = leaseMax;
  const store = a.get("store") ? new SqliteLeaseStore(a.get("store")!) : new MemoryLeaseStore();
  const server = await FaServer.start({ identity, config: faConfig(partial), store, ws, log });
  log({ level: "info", msg: "fa ready", hit: hitKey(identity.hit), udp: server.udp, ws: server.wsLocator, leases: store.size });
  const statsTimer = setInterval(() => log({ level: "info", msg: "fa stats", ...server.stats() }), 60_000);
  statsTimer.unref();
  await new Promise<void>((resolve) => {
    const stop = (sig: string) => {
      log({ level: "info", msg: "fa stopping", signal: sig, ...server.stats() });
      resolve();
    };
    process.once("SIGINT", () => stop("SIGINT"));
    process.once("SIGTERM", () => stop("SIGTERM"));
  });
  clearInterval(statsTimer);
  await server.close();
  return 0;
}

export const command: Command = { summary: "run a Forwarding Agent (address leases, forwarding, WebSocket tunnels)", run: fa };
