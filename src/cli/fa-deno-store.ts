// `--store` of the Deno FA (src/cli/fa-deno.ts): memory (default) or redis://… — the Redis
// lease store the Node FA's fleet uses (src/fa/store/redis.ts, ioredis from node_modules
// through Deno's npm compatibility), so Deno and Node FAs can share one set of leases.
// No SQLite here: better-sqlite3 is a native Node addon.
import type { LeaseStore } from "../fa/core/store.ts";
import { CliError, UsageError } from "./errors.ts";

/** undefined: memory only (the FA's index is the record). Rejects when Redis is unreachable. */
export async function openDenoStore(spec: string | undefined, log: (rec: Record<string, unknown>) => void): Promise<LeaseStore | undefined> {
  if (spec === undefined || spec === "memory") return undefined;
  if (!/^rediss?:\/\//.test(spec)) throw new UsageError(`--store must be memory or redis://HOST:PORT[/DB][?prefix=NAME] (the Deno FA has no SQLite), not ${redact(spec)}`);
  return openRedisStore(spec, log);
}

/** The Redis lease store at `spec` (redis://…), warnings rate-limited to one per 10 s; a
 *  CliError naming the URL (password redacted) when Redis is unreachable. Shared with the Node FA. */
export async function openRedisStore(spec: string, log: (rec: Record<string, unknown>) => void): Promise<LeaseStore> {
  const { RedisLeaseStore } = await import("../fa/store/redis.ts");
  let last = 0;
  try {
    return await RedisLeaseStore.open({
      url: spec,
      onError: (e) => {
        const now = Date.now();
        if (now - last < 10_000) return; // one line per 10 s while Redis is down
        last = now;
        log({ level: "warn", msg: "redis error", error: e.message });
      },
    });
  } catch (e) {
    throw new CliError(`--store ${redact(spec)}: cannot reach Redis (${e instanceof Error ? e.message : String(e)})`);
  }
}

/** The URL without its password (never logged). */
export function redact(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
}
