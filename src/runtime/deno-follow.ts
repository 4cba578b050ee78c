// Follow the machine's interfaces on Deno (udp(…, { followInterfaces }) from hipmm/deno): Deno has
// no kernel events, so `Deno.networkInterfaces()` (permission `--allow-sys=networkInterfaces`) is
// polled (address-watch.ts) and the host binds and announces new addresses, gives up removed ones.
import { isUnspecified } from "../core/types.ts";
import { type AddressBinder, followByPolling } from "./address-watch.ts";
import type { RuntimeHost } from "./host.ts";

/** The part of `Deno.networkInterfaces()` used here. */
interface DenoInterface {
  name: string;
  family: "IPv4" | "IPv6";
  address: string;
}

const usable = (ip: string): boolean => !isUnspecified(ip) && !ip.startsWith("127.") && ip !== "::1" && !ip.toLowerCase().startsWith("fe80:");

/**
 * Poll the interfaces holding `host`'s addresses now (or exactly `o.interfaces`; plus `o.prefer`),
 * every `o.pollMs` (default 1000). Throws where
 * `Deno.networkInterfaces` is missing or not permitted.
 */
export function followDenoInterfaces(host: RuntimeHost, bind: AddressBinder, o: { port: number; prefer?: readonly string[]; interfaces?: readonly string[]; pollMs?: number }): { stop(): void } {
  const deno = (globalThis as { Deno?: { networkInterfaces?: () => DenoInterface[] } }).Deno;
  if (!deno?.networkInterfaces) throw new TypeError("followInterfaces: Deno.networkInterfaces() is not available here");
  const list = deno.networkInterfaces.bind(deno);
  const now = list(); // throws without --allow-sys: createHost rejects with it
  const names = new Set(o.interfaces ?? [...(o.prefer ?? []), ...now.filter((i) => host.locals.some((l) => l.ip === i.address)).map((i) => i.name)]);
  // Both families, as the kernel watch (netlink-node.ts): a host moves from IPv4 into IPv6 (§3.1).
  const snapshot = () => list().filter((i) => names.has(i.name) && usable(i.address)).map((i) => i.address);
  return followByPolling(host, bind, snapshot, { port: o.port, ...(o.pollMs !== undefined ? { pollMs: o.pollMs } : {}) });
}
