// Mobility on a real Node host: an interface is the set of UDP sockets bound to its local
// addresses (one socket per address, SocketSet); an AddressWatcher polls
// os.networkInterfaces() (or an injected snapshot function, for tests) and turns address
// changes into socket binds/closes and local-model changes, which make the stack send REAs
// (draft §4.2, §6.4).
import { networkInterfaces } from "node:os";
import type { Locator } from "../core/types.ts";
import { type AddressBinder, type AddressSnapshot, AddressWatcher, changeTo, followByPolling, type WatcherOptions } from "./address-watch.ts";
import type { RuntimeHost } from "./host.ts";
import { type KernelWatchOptions, watchKernel } from "./netlink-node.ts";
import { bindHostSocket, type NodeHostOptions, startNodeHost } from "./node.ts";

export { AddressWatcher, type AddressSnapshot, type WatcherOptions, type ChangeResult } from "./address-watch.ts";

/** Non-internal unicast addresses of this machine (link-local IPv6 left out: needs a scope). */
export const osAddresses: AddressSnapshot = () => {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (!a.internal && !a.address.toLowerCase().startsWith("fe80:")) out.push(a.address);
  }
  return out;
};

export interface MobileNodeOptions extends Omit<NodeHostOptions, "listen"> {
  /** Local IP addresses to start with. */
  addresses: string[];
  /** UDP port for every address (0 = any; a moved-to address tries the first socket's port). */
  port?: number;
  /** Watch the machine's addresses (default: off; call `watcher.poll()` yourself). */
  watch?: WatcherOptions | boolean;
}

/** A RuntimeHost whose addresses follow the machine's (or the caller's) address changes. */
export class MobileNode {
  readonly watcher: AddressWatcher;
  private readonly bind: AddressBinder = (ip, port) => bindHostSocket(this.host, ip, port);

  constructor(
    readonly host: RuntimeHost,
    private readonly port: number,
    o: WatcherOptions,
  ) {
    // Starts from the snapshot as it is now: only later changes move the host.
    this.watcher = new AddressWatcher(async (added, removed) => (await changeTo(this.host, this.bind, this.port, added, removed)).failed, { snapshot: osAddresses, ...o });
  }

  /** Bind sockets for `added`, close those of `removed`; REAs follow. Addresses whose bind the
   * system refused are left out (`failed`; the watcher tries them again at its next poll). */
  async change(added: readonly string[], removed: readonly string[]): Promise<Locator[]> {
    return (await changeTo(this.host, this.bind, this.port, added, removed)).bound;
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
  const bind: AddressBinder = (ip, p) => bindHostSocket(host, ip, p);
  const fams = o.families;
  const snapshot = fams ? () => osAddresses().filter((ip) => fams.includes(ip.includes(":") ? 6 : 4)) : osAddresses;
  return followByPolling(host, bind, snapshot, { port, pollMs: o.pollMs });
}

export async function startMobileNode(o: MobileNodeOptions): Promise<MobileNode> {
  const port = o.port ?? 0;
  const host = await startNodeHost({ ...o, listen: o.addresses.map((ip) => ({ ip, port })) });
  const w = o.watch === true ? {} : o.watch === false || o.watch === undefined ? undefined : o.watch;
  const node = new MobileNode(host, port === 0 ? (host.locals[0]?.port ?? 0) : port, w ?? {});
  if (w) node.watcher.start();
  return node;
}
