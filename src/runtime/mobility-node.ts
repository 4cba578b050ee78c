// Mobility on a real Node host: an interface is the set of UDP sockets bound to its local
// addresses (one socket per address, SocketSet); an AddressWatcher polls
// os.networkInterfaces() (or an injected snapshot function, for tests) and turns address
// changes into socket binds/closes and local-model changes, which make the stack send REAs
// (draft §4.2, §6.4).
import { networkInterfaces } from "node:os";
import type { Locator } from "../core/types.ts";
import type { DatagramSocket } from "../transport/types.ts";
import type { RuntimeHost } from "./host.ts";
import { type KernelWatchOptions, watchKernel } from "./netlink-node.ts";
import { bindHostSocket, type NodeHostOptions, startNodeHost } from "./node.ts";

/** IP addresses currently configured (the watcher's input). */
export type AddressSnapshot = () => string[];

/** Non-internal unicast addresses of this machine (link-local IPv6 left out: needs a scope). */
export const osAddresses: AddressSnapshot = () => {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (!a.internal && !a.address.toLowerCase().startsWith("fe80:")) out.push(a.address);
  }
  return out;
};

export interface WatcherOptions {
  /** Where addresses come from (default: os.networkInterfaces()). */
  snapshot?: AddressSnapshot;
  /** Poll period (default 1000 ms). */
  intervalMs?: number;
  /** Which addresses to use (default: all). */
  filter?: (ip: string) => boolean;
}

/** What an AddressWatcher's `onChange` returns: the added addresses it could not use yet, or nothing. */
// biome-ignore lint/suspicious/noConfusingVoidType: a plain callback returning nothing is allowed
export type ChangeResult = readonly string[] | void;

/**
 * Polls a snapshot function and reports added / removed addresses. `onChange` returns the added
 * addresses it could not use yet (a bind the system refused: an IPv6 address still in Duplicate
 * Address Detection, RFC 4862 §5.4): they are reported again at the next poll. A failing
 * `onChange` is counted (`errors`), never thrown out of the timer.
 */
export class AddressWatcher {
  private known: Set<string>;
  /** Polls whose `onChange` threw or rejected. */
  errors = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly snapshot: AddressSnapshot;
  private readonly filter: (ip: string) => boolean;

  constructor(
    private readonly onChange: (added: string[], removed: string[]) => ChangeResult | Promise<ChangeResult>,
    private readonly o: WatcherOptions = {},
    initial?: readonly string[],
  ) {
    this.snapshot = o.snapshot ?? osAddresses;
    this.filter = o.filter ?? (() => true);
    this.known = new Set(initial ?? this.current());
  }

  private current(): string[] {
    return this.snapshot().filter(this.filter);
  }

  /** Compare with the last snapshot; report and remember the difference. */
  async poll(): Promise<{ added: string[]; removed: string[] }> {
    const now = new Set(this.current());
    const added = [...now].filter((ip) => !this.known.has(ip));
    const removed = [...this.known].filter((ip) => !now.has(ip));
    this.known = now;
    if (added.length || removed.length) {
      try {
        for (const ip of (await this.onChange(added, removed)) ?? []) this.known.delete(ip);
      } catch {
        this.errors++;
        for (const ip of added) this.known.delete(ip);
      }
    }
    return { added, removed };
  }

  start(): void {
    this.timer ??= setInterval(() => void this.poll(), this.o.intervalMs ?? 1000);
    (this.timer as { unref?: () => void }).unref?.();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}

export interface MobileNodeOptions extends Omit<NodeHostOptions, "listen"> {
  /** Local IP addresses to start with. */
  addresses: string[];
  /** UDP port for every address (0 = any; a moved-to address tries the first socket's port). */
  port?: number;
  /** Watch the machine's addresses (default: off; call `watcher.poll()` yourself). */
  watch?: WatcherOptions | boolean;
}

/** A socket for a new address `ip`: the draining one of a moment ago (changeAddresses), else bound on `port`, else on any port. */
function rebind(host: RuntimeHost, ip: string, port: number): Promise<DatagramSocket> {
  const s = host.reclaimDrained({ ip, port: 0 });
  return s ? Promise.resolve(s) : bindHostSocket(host, ip, port).catch(() => bindHostSocket(host, ip, 0));
}

/** Sockets for `added` (those the system refuses: `failed`), those of `removed` closed; REAs follow. */
async function changeTo(host: RuntimeHost, port: number, added: readonly string[], removed: readonly string[]): Promise<{ bound: Locator[]; failed: string[] }> {
  const socks: DatagramSocket[] = [];
  const failed: string[] = [];
  for (const ip of added) {
    const s = await rebind(host, ip, port).catch(() => undefined);
    if (s) socks.push(s);
    else failed.push(ip);
  }
  await host.changeAddresses(
    socks,
    host.locals.filter((l) => removed.includes(l.ip)),
  );
  return { bound: socks.map((s) => s.local), failed };
}

/** A RuntimeHost whose addresses follow the machine's (or the caller's) address changes. */
export class MobileNode {
  readonly watcher: AddressWatcher;

  constructor(
    readonly host: RuntimeHost,
    private readonly port: number,
    o: WatcherOptions,
  ) {
    // Starts from the snapshot as it is now: only later changes move the host.
    this.watcher = new AddressWatcher(async (added, removed) => (await changeTo(this.host, this.port, added, removed)).failed, o);
  }

  /** Bind sockets for `added`, close those of `removed`; REAs follow. Addresses whose bind the
   * system refused are left out (`failed`; the watcher tries them again at its next poll). */
  async change(added: readonly string[], removed: readonly string[]): Promise<Locator[]> {
    return (await changeTo(this.host, this.port, added, removed)).bound;
  }

  /** Move from every current address to `ips` (break-before-make). */
  moveTo(ips: readonly string[]): Promise<Locator[]> {
    const cur = this.host.locals.map((l) => l.ip);
    return this.change(
      ips.filter((ip) => !cur.includes(ip)),
      cur.filter((ip) => !ips.includes(ip)),
    );
  }

  async close(): Promise<void> {
    this.watcher.stop();
    await this.host.close();
  }
}

export interface InterfaceWatch {
  readonly kind: "netlink" | "poll";
  stop(): void;
}

/**
 * Follow the machine's interfaces: kernel events where possible (netlink-node.ts: one logical
 * interface per kernel interface, preference, link state), else polling `os.networkInterfaces()`
 * every `pollMs` (addresses only, one logical interface).
 */
export async function watchInterfaces(host: RuntimeHost, o: KernelWatchOptions & { pollMs?: number }): Promise<InterfaceWatch> {
  const k = await watchKernel(host, o);
  if (k) return { kind: "netlink", stop: () => k.stop() };
  const port = o.port;
  const w = new AddressWatcher(async (added, removed) => (await changeTo(host, port, added, removed)).failed, { intervalMs: o.pollMs ?? 1000 });
  w.start();
  return { kind: "poll", stop: () => w.stop() };
}

export async function startMobileNode(o: MobileNodeOptions): Promise<MobileNode> {
  const port = o.port ?? 0;
  const host = await startNodeHost({ ...o, listen: o.addresses.map((ip) => ({ ip, port })) });
  const w = o.watch === true ? {} : o.watch === false || o.watch === undefined ? undefined : o.watch;
  const node = new MobileNode(host, port === 0 ? (host.locals[0]?.port ?? 0) : port, w ?? {});
  if (w) node.watcher.start();
  return node;
}
