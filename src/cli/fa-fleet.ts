// `hipmm fa` store and fleet options: --store FILE (SQLite) or redis://… (a fleet's shared
// store), --node, --fleet-key, --fleet, --shared (docs/OPERATIONS.md "FA fleet").
import { randomBytes } from "node:crypto";
import { chmodSync, readFileSync, statSync, writeFileSync } from "node:fs";
import type { Locator } from "../core/types.ts";
import type { LeaseStore } from "../fa/core/store.ts";
import type { FleetOptions } from "../fa/server/fleet.ts";
import { MemoryLeaseStore } from "../fa/store/memory.ts";
import { SqliteLeaseStore } from "../fa/store/sqlite.ts";
import { locatorArg } from "./common.ts";
import { openRedisStore } from "./fa-deno-store.ts";
import { intOption } from "./options.ts";
import { UsageError, withFile } from "./errors.ts";
import type { Args } from "./args.ts";

export async function openStore(spec: string | undefined, log: (rec: Record<string, unknown>) => void): Promise<LeaseStore> {
  if (spec === undefined) return new MemoryLeaseStore();
  if (/^rediss?:\/\//.test(spec)) return openRedisStore(spec, log);
  return withFile("--store", spec, () => new SqliteLeaseStore(spec), true);
}


export async function fleetOptions(a: Args, udp: readonly Locator[], shared: readonly Locator[], store: LeaseStore): Promise<FleetOptions | undefined> {
  const node = a.get("node");
  if (node === undefined) return undefined;
  if (!/^[\w.-]{1,64}$/.test(node)) throw new UsageError(`--node ${node}: letters, digits, '.', '_' or '-' (at most 64)`);
  if (!("heartbeat" in store)) throw new UsageError("--node needs a shared --store redis://…");
  const keyFile = a.get("fleet-key");
  if (keyFile === undefined) throw new UsageError("--node needs --fleet-key FILE (the fleet's shared secret)");
  const key = withFile("--fleet-key", keyFile, () => readOrCreateKey(keyFile), true);
  const listen = a.get("fleet") === undefined ? { ip: udp[0].ip, port: 0 } : locatorArg("--fleet", a.get("fleet")!);
  // Node liveness (docs/PROTOCOL.md §13.1): heartbeat interval, missed intervals before down.
  const heartbeatMs = intOption(a, "fleet-heartbeat", 1, 60_000);
  const deadAfter = intOption(a, "fleet-dead-after", 1, 1000);
  const registryMs = intOption(a, "fleet-registry", 50, 600_000);
  return { node, key, listen, shared: [...shared], liveness: { heartbeatMs, deadAfter }, registryMs };
}

/** The fleet key: read it, or create 32 random bytes (hex) mode 0600 in the call that creates it. */
function readOrCreateKey(path: string): Uint8Array {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    if ((e as { code?: string }).code !== "ENOENT") throw e;
    text = randomBytes(32).toString("hex");
    writeFileSync(path, `${text}\n`, { mode: 0o600, flag: "wx" });
  }
  if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  const hex = text.trim();
  if (!/^([0-9a-f]{2}){32,}$/i.test(hex)) throw new UsageError(`--fleet-key ${path}: want at least 64 hex digits`);
  return Uint8Array.from(Buffer.from(hex, "hex"));
}

/** --spi-range LO-HI: at least one SPI block, above the reserved 0-255 (RFC 4303 §2.1). */
export function parseSpiRange(s: string): [number, number] {
  const m = /^(0x[0-9a-f]+|\d+)-(0x[0-9a-f]+|\d+)$/i.exec(s);
  const lo = Number(m?.[1]);
  const hi = Number(m?.[2]);
  if (!m || lo < 256 || hi > 0xffffffff || hi - lo < 15) throw new UsageError(`--spi-range ${s}: want LO-HI within 256-0xffffffff, at least 16 SPIs`);
  return [lo, hi];
}
