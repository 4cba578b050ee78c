// `hipmm fa --id FILE --udp IP:PORT…` (options and their help: fa-options.ts):
// run a Forwarding Agent (draft §4.4; docs/PROTOCOL.md §9). The first --udp locators are the
// control locators; IPv4 ones are also the shared IPv4 locators (addr type 4); --pool6 gives
// the dedicated locators for addr type 6. SIGINT/SIGTERM shut down gracefully; --stats and
// SIGUSR1 print the server's counters (whatever FaServer.stats() holds) as one JSON line.
import { cryptoRng } from "../core/rng.ts";
import type { Locator } from "../core/types.ts";
import { type FaConfig, faConfig, type PuzzleMode } from "../fa/core/config.ts";
import { faLimits } from "./limit-options.ts";
import { FaServer } from "../fa/server/server.ts";
import type { LeaseStore } from "../fa/core/store.ts";
import { fleetOptions, openStore, parseSpiRange } from "./fa-fleet.ts";
import { hitKey, hitToString } from "../hip/hit.ts";
import { hitArg, locatorArg, readOrCreateIdentity } from "./common.ts";
import { bindError, errorContext, UsageError } from "./errors.ts";
import { FA_SPEC } from "./fa-options.ts";
import type { Command } from "./main.ts";
import { choiceOption, intOption, numberOption, parseCommand } from "./options.ts";
import { startStats } from "./stats.ts";

function parsePool(s: string): Locator[] {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([0-9.]+)):(\d+)-(\d+)$/.exec(s);
  const lo = Number(m?.[3]);
  const hi = Number(m?.[4]);
  if (!m || hi < lo || hi > 65535 || hi - lo > 4096) throw new UsageError(`--pool6 ${s}: want IP:LO-HI (at most 4097 ports)`);
  const ip = m[1] ?? m[2];
  return Array.from({ length: hi - lo + 1 }, (_, i) => ({ ip, port: lo + i }));
}

function hits(option: string, list: readonly string[]): Set<string> {
  return new Set(list.flatMap((x) => x.split(",")).map((h) => hitKey(hitArg(option, h))));
}

export async function fa(argv: string[]): Promise<number> {
  const a = parseCommand(FA_SPEC, argv);
  if (!a) return 0;
  if (a.positionals.length) throw new UsageError(`unexpected argument ${a.positionals[0]}`);
  const udp = a.getAll("udp").map((u) => locatorArg("--udp", u));
  const ws = a.get("ws") === undefined ? undefined : locatorArg("--ws", a.get("ws")!);
  const pool = a.getAll("pool6").map(parsePool);
  const allow = hits("--allow", a.getAll("allow"));
  const deny = hits("--deny", a.getAll("deny"));
  const leaseMax = intOption(a, "lease-max", 1, 2 ** 31 - 1);
  const limits = faLimits(a);
  const puzzle: PuzzleMode = choiceOption(a, "puzzle", ["off", "on", "auto"] as const) ?? "auto";
  const logFormat = choiceOption(a, "log", ["text", "json"] as const) ?? "text";
  const statsSeconds = numberOption(a, "stats", 0.1, 86400);
  const json = logFormat === "json";
  const log = (rec: Record<string, unknown>) => {
    const t = new Date().toISOString();
    const { msg, level: _level, ...rest } = rec;
    console.log(json ? JSON.stringify({ t, ...rec }) : `${t} ${String(msg)} ${JSON.stringify(rest)}`);
  };
  const identity = await readOrCreateIdentity("--id", a.get("id")!, cryptoRng);
  const locs = udp;
  const shared = a.getAll("shared").map((u) => locatorArg("--shared", u));
  const partial: Partial<FaConfig> = {
    control: locs,
    shared4: shared.length ? shared : locs.filter((l) => !l.ip.includes(":")),
    pool6: pool.flat(),
    allow,
    deny,
    puzzle,
  };
  if (leaseMax !== undefined) partial.leaseMax = leaseMax;
  Object.assign(partial, limits);
  // Lease holder liveness (src/fa/core/holder.ts).
  const holderSilence = intOption(a, "holder-silence", 0, 3_600_000);
  const holderProbe = intOption(a, "holder-probe", 10, 600_000);
  const holderQueue = intOption(a, "holder-queue", 1, 1_000_000);
  if (holderSilence !== undefined) partial.holderSilenceMs = holderSilence;
  if (holderProbe !== undefined) partial.holderProbeMs = holderProbe;
  if (holderQueue !== undefined) partial.holderQueue = holderQueue;
  const spiRange = a.get("spi-range");
  if (spiRange !== undefined) [partial.spiFirst, partial.spiLast] = parseSpiRange(spiRange);
  const store: LeaseStore = await openStore(a.get("store"), log);
  const fleet = await fleetOptions(a, udp, shared, store);
  const binds: [string, Locator][] = [...udp.map((u): [string, Locator] => ["--udp", u]), ...pool.flat().map((u): [string, Locator] => ["--pool6", u])];
  if (ws) binds.push(["--ws", ws]);
  errorContext.describe = (e) => bindError(e, binds);
  let server: FaServer;
  try {
    server = await FaServer.start({ identity, config: faConfig(partial), store, ws, log, fleet });
  } catch (e) {
    await store.close();
    throw e;
  }
  let stats: ReturnType<typeof startStats>;
  try {
    stats = startStats("fa", () => server.stats(), { seconds: statsSeconds, file: a.get("stats-file") });
  } catch (e) {
    await server.close();
    throw e;
  }
  log({ level: "info", msg: "fa ready", hit: hitToString(identity.hit), udp: server.udp, ws: server.wsLocator, leases: server.stats().leases, ...(fleet ? { node: fleet.node, fleet: server.stats().fleet?.node } : {}) });
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
  stats.stop();
  await server.close();
  return 0;
}

export const command: Command = { summary: FA_SPEC.summary, run: fa };
