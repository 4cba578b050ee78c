// Address polling for runtimes without kernel events (os.networkInterfaces() on Node without
// `ip`, Deno.networkInterfaces()): an AddressWatcher compares snapshots of the machine's addresses
// and the host binds the new ones and gives up the removed ones (RuntimeHost.changeAddresses), so
// the stack sends the REAs (draft §4.2, §6.4). No node: imports.
import type { Locator } from "../core/types.ts";
import type { DatagramSocket } from "../transport/types.ts";
import type { RuntimeHost } from "./host.ts";

/** IP addresses currently configured (the watcher's input). */
export type AddressSnapshot = () => string[];

export interface WatcherOptions {
  /** Where addresses come from (Node's default: os.networkInterfaces(), mobility-node.ts). */
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
    this.snapshot = o.snapshot ?? (() => []);
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

/** Binds a socket for a new address of `host` (the runtime's: node:dgram or the worker-io Worker, Deno.listenDatagram). */
export type AddressBinder = (ip: string, port: number) => Promise<DatagramSocket>;

/** A socket for a new address `ip`: the draining one of a moment ago (changeAddresses), else bound on `port`, else on any port. */
function rebind(host: RuntimeHost, bind: AddressBinder, ip: string, port: number): Promise<DatagramSocket> {
  const s = host.reclaimDrained({ ip, port: 0 });
  return s ? Promise.resolve(s) : bind(ip, port).catch(() => bind(ip, 0));
}

/** Sockets for `added` (those the system refuses: `failed`), those of `removed` closed; REAs follow. */
export async function changeTo(host: RuntimeHost, bind: AddressBinder, port: number, added: readonly string[], removed: readonly string[]): Promise<{ bound: Locator[]; failed: string[] }> {
  const socks: DatagramSocket[] = [];
  const failed: string[] = [];
  for (const ip of added) {
    const s = await rebind(host, bind, ip, port).catch(() => undefined);
    if (s) socks.push(s);
    else failed.push(ip);
  }
  await host.changeAddresses(
    socks,
    host.locals.filter((l) => removed.includes(l.ip)),
  );
  return { bound: socks.map((s) => s.local), failed };
}

/** Poll `snapshot` every `pollMs` (default 1000) and move `host` with it; `stop()` ends it. */
export function followByPolling(host: RuntimeHost, bind: AddressBinder, snapshot: AddressSnapshot, o: { port: number; pollMs?: number }): { kind: "poll"; stop(): void; watcher: AddressWatcher } {
  const w = new AddressWatcher(async (added, removed) => (await changeTo(host, bind, o.port, added, removed)).failed, { snapshot, intervalMs: o.pollMs ?? 1000 });
  w.start();
  return { kind: "poll", watcher: w, stop: () => w.stop() };
}
