// Kernel address and link events on Linux: `ip -o monitor address link` (iproute2, rtnetlink)
// runs as a child process; its lines update a KernelState (netlink.ts), and after a short
// debounce the host is reconciled with it: one logical interface per kernel interface (draft
// §4.1), one UDP socket per address (bound to it, so each interface sends from its own address),
// interface preference (§3.3), link down/up, renumbering (old address removed and its socket
// closed, new one bound and announced). The stack sends the REAs (§4.2, §6.4). Where `ip` is
// missing, the caller falls back to polling (mobility-node.ts AddressWatcher).
import { type ChildProcess, execFile, spawn } from "node:child_process";
import type { Locator } from "../core/types.ts";
import type { LocalModel } from "../mobility/model.ts";
import type { RuntimeHost } from "./host.ts";
import { bindHostSocket } from "./node.ts";
import { KernelState, parseIpLine, preferenceOf } from "./netlink.ts";

/** Logical interface ID of kernel interface `ifindex` (clear of DEFAULT_INTERFACE 1 and FA 0xfa). */
export const kernelInterfaceId = (ifindex: number): number => 0x1000 + ifindex;

export interface KernelWatchOptions {
  /** UDP port for newly bound addresses (0 or taken: any port). */
  port: number;
  /** Interface names, best first (`--prefer eth0,wlan0`); these are also used (watched). */
  prefer?: readonly string[];
  /**
   * Kernel interfaces to use, by name (default: those holding the host's bound addresses at
   * start, plus `prefer`): a host listening on 127.0.0.1 only does not start using eth0.
   */
  interfaces?: readonly string[];
  /** Events closer together than this are applied as one change (default 5 ms). */
  debounceMs?: number;
  /** Address families to use (default both: a host follows its interfaces into the other family). */
  families?: readonly (4 | 6)[];
  /** One line per applied change (for logs). */
  log?: (line: string) => void;
}

const familyOfIp = (ip: string): 4 | 6 => (ip.includes(":") ? 6 : 4);

export class KernelWatcher {
  readonly state = new KernelState();
  /** Addresses whose sockets we manage (bound by us, or a --listen address on a kernel interface). */
  private readonly managed = new Set<string>();
  /** Names of the kernel interfaces we use. */
  readonly names = new Set<string>();
  private child: ChildProcess | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private restartTimer: ReturnType<typeof setTimeout> | undefined;
  /** Times `ip monitor` was started again (the wait doubles). */
  restarts = 0;
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;
  /** Kernel events seen / reconciliations run. */
  events = 0;
  reconciles = 0;

  constructor(
    private readonly host: RuntimeHost,
    private readonly o: KernelWatchOptions,
  ) {}

  /** Start the monitor, load the current state, adopt the bound sockets. False: `ip` unusable. */
  async start(): Promise<boolean> {
    const early: string[] = [];
    let loaded = false;
    if (!(await this.monitor((line) => (loaded ? this.onLine(line) : early.push(line))))) return false;
    const dumped = await dumpKernel();
    if (!dumped) {
      this.stop();
      return false;
    }
    for (const [i, itf] of dumped.interfaces) this.state.interfaces.set(i, itf);
    loaded = true;
    for (const n of this.o.interfaces ?? [...(this.o.prefer ?? []), ...this.host.locals.map((l) => this.state.interfaceOf(l.ip)?.name ?? "")]) if (n) this.names.add(n);
    for (const line of early) this.onLine(line);
    await this.reconcile();
    return true;
  }

  /**
   * Run `ip -o monitor address link`, each line to `onLine`. `ip monitor` writes only on events,
   * so it would outlive a killed host (holding a network namespace) until the next one: a shell
   * runs it, kills it when our stdin pipe closes, and ends with it. If it exits while we watch, it
   * is started again (after 1 s, doubling up to 60 s) and the state is loaded anew; when it reports
   * lost events (the kernel's netlink buffer overran: "No buffer space available"), likewise.
   */
  private async monitor(onLine: (line: string) => void): Promise<boolean> {
    // The shell ends with `ip` (wait), and a reader kills `ip` when our stdin closes (stop, or we
    // died); fd 3: a background list's stdin is /dev/null unless redirected explicitly (POSIX).
    const child = spawn("sh", ["-c", 'exec 3<&0; ip -o monitor address link </dev/null & m=$!; (read _; kill $m 2>/dev/null) <&3 & wait $m; exit $?'], { stdio: ["pipe", "pipe", "pipe"] });
    const ok = await new Promise<boolean>((resolve) => {
      child.once("error", () => resolve(false));
      child.once("spawn", () => resolve(true));
    });
    if (!ok) return false;
    this.child = child;
    let buf = "";
    child.stdout!.setEncoding("utf8").on("data", (d: string) => {
      buf += d;
      for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        onLine(line);
      }
    });
    child.stderr!.setEncoding("utf8").on("data", (d: string) => {
      if (/netlink receive error|No buffer space/i.test(d)) void this.resync("the kernel dropped netlink events");
    });
    child.once("exit", (code, signal) => {
      child.stdin?.end(); // its reader goes too
      if (this.stopped || this.child !== child) return;
      this.child = undefined;
      const wait = Math.min(60_000, 1000 * 2 ** this.restarts++);
      this.o.log?.(`kernel watch: ip monitor exited (${signal ?? `code ${code}`}); starting it again in ${wait / 1000} s`);
      this.restartTimer = setTimeout(() => {
        this.restartTimer = undefined;
        if (this.stopped) return;
        void this.monitor((line) => this.onLine(line)).then((up) => {
          if (up) void this.resync("ip monitor restarted");
        });
      }, wait);
      this.restartTimer.unref?.();
    });
    return true;
  }

  /** Load the kernel's state anew (events may have been missed) and reconcile if it changed. */
  private async resync(why: string): Promise<void> {
    if (this.stopped) return;
    const fresh = await dumpKernel();
    if (!fresh || this.stopped) return;
    const key = (st: KernelState) => JSON.stringify([...st.interfaces.values()].filter((i) => this.names.has(i.name)).sort((a, b) => a.index - b.index));
    if (key(fresh) === key(this.state)) return;
    this.state.interfaces.clear();
    for (const [i, itf] of fresh.interfaces) this.state.interfaces.set(i, itf);
    this.o.log?.(`kernel watch: state loaded again (${why})`);
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.restartTimer !== undefined) clearTimeout(this.restartTimer);
    this.timer = undefined;
    if (this.child && this.child.exitCode === null) this.child.stdin?.end(); // the shell kills `ip monitor`
    this.child = undefined;
  }

  /** Resolves when every queued reconciliation ran. */
  settled(): Promise<void> {
    return this.chain;
  }

  private onLine(line: string): void {
    const ev = parseIpLine(line);
    if (!ev || !this.state.apply(ev) || !this.names.has(ev.name)) return;
    this.events++;
    const addr = (e: Extract<typeof ev, { kind: "addr" }>) => (e.deleted || e.unusable ? `-${e.ip} on ${e.name}` : e.deprecated ? `${e.ip} deprecated on ${e.name}` : `+${e.ip} on ${e.name}`);
    this.o.log?.(`kernel: ${ev.kind === "link" ? `${ev.name} ${ev.deleted ? "deleted" : ev.up ? "up" : "down"}` : addr(ev)}`);
    this.schedule();
  }

  /** Reconcile after the debounce (one reconciliation for events close together). */
  private schedule(): void {
    if (this.timer !== undefined || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.chain = this.chain.then(() => this.reconcile()).catch((e: Error) => this.o.log?.(`kernel watch: ${e.message}`));
    }, this.o.debounceMs ?? 5);
  }

  /** Make sockets and the local model match the kernel's interfaces. */
  async reconcile(): Promise<void> {
    if (this.stopped) return;
    this.reconciles++;
    const host = this.host;
    // Both families unless told otherwise: a host moves from an IPv4 network to an IPv6 one (draft
    // §3.1; its peer learns the new family by REA), and one whose only address went before the new
    // one came must still bind it (deriving the families from the bound addresses found none).
    const fams = this.o.families ?? [4, 6];
    const wanted = new Map<string, number>(); // ip → ifindex
    for (const itf of this.state.interfaces.values()) {
      if (!this.names.has(itf.name)) continue;
      for (const ip of itf.addrs) if (fams.includes(familyOfIp(ip))) wanted.set(ip, itf.index);
    }
    for (const l of host.locals) if (wanted.has(l.ip)) this.managed.add(l.ip);
    const bound = new Set(host.locals.map((l) => l.ip));
    const remove: Locator[] = host.locals.filter((l) => this.managed.has(l.ip) && !wanted.has(l.ip));
    for (const ip of wanted.keys()) {
      if (bound.has(ip)) continue;
      const s = await bindHostSocket(host, ip, this.o.port)
        .catch(() => bindHostSocket(host, ip, 0))
        .catch((e: Error) => void this.o.log?.(`kernel: cannot bind ${ip}: ${e.message} (tried again at its next event)`));
      if (!s || this.stopped) {
        await s?.close();
        continue;
      }
      host.driver.sockets.add(s);
      this.managed.add(ip);
    }
    const locals = host.locals;
    host.stack.updateLocal(host.driver.clock(), (local) => this.apply(local, locals, remove));
    host.driver.flush();
    for (const l of remove) {
      this.managed.delete(l.ip);
      await host.driver.sockets.remove(l);
    }
  }

  private apply(local: LocalModel, locals: readonly Locator[], remove: readonly Locator[]): void {
    const now = this.host.driver.clock();
    const bestBefore = bestInterface(local);
    for (const l of remove) local.removeAddress(l);
    const seen = new Set<number>();
    for (const itf of this.state.interfaces.values()) {
      if (!this.names.has(itf.name)) continue;
      const id = kernelInterfaceId(itf.index);
      const mine = locals.filter((l) => itf.addrs.includes(l.ip) && !remove.some((r) => r.ip === l.ip));
      if (mine.length === 0 && !local.interfaces.has(id)) continue;
      seen.add(id);
      const pref = preferenceOf(this.o.prefer ?? [], itf.name);
      const li = local.interfaces.get(id) ?? local.addInterface(id, pref);
      if (li.preference !== pref) local.setPreference(id, pref);
      local.setUp(id, itf.up);
      for (const l of mine) {
        // A deprecated IPv6 address (preferred lifetime over) stays usable but is announced as not
        // preferred and ranked below active ones (RFC 4862 §5.5.4); one renewed is active again.
        const deprecated = itf.deprecated.includes(l.ip);
        const cur = local.interfaceOf(l)?.id === id ? li.addresses.find((a) => a.locator.ip === l.ip && a.locator.port === l.port) : undefined;
        if (!cur || (!deprecated && cur.status === "deprecated")) local.addAddress(id, l, now);
        if (deprecated) local.deprecate(l);
      }
    }
    // A kernel interface that vanished: its logical interface is down (its addresses went above).
    for (const li of local.interfaces.values()) if (li.id >= 0x1000 && !seen.has(li.id)) local.setUp(li.id, false);
    // The REA_INFO preferred flag marks the best interface's addresses (§3.3): when the best one
    // changes, every interface is announced again so the peer's view of "preferred" follows.
    if (bestInterface(local) !== bestBefore) for (const li of local.interfaces.values()) if (li.up && !li.hidden) local.bump(li.id);
  }
}

/** The kernel's interfaces now (`ip -o link show`, `ip -o addr show`), or undefined if `ip` failed. */
async function dumpKernel(): Promise<KernelState | undefined> {
  const run = (args: string[]) =>
    new Promise<string | undefined>((resolve) => execFile("ip", args, { encoding: "utf8", timeout: 5000 }, (e, out) => resolve(e ? undefined : out)));
  const [link, addr] = await Promise.all([run(["-o", "link", "show"]), run(["-o", "addr", "show"])]);
  if (link === undefined || addr === undefined) return undefined;
  const st = new KernelState();
  st.load([...link.split("\n"), ...addr.split("\n")]);
  return st;
}

/** ID of the up, visible interface with the highest preference that has an address. */
function bestInterface(local: LocalModel): number | undefined {
  let best: { id: number; pref: number } | undefined;
  for (const li of local.interfaces.values()) {
    if (!li.up || li.hidden || li.addresses.length === 0) continue;
    if (!best || li.preference > best.pref) best = { id: li.id, pref: li.preference };
  }
  return best?.id;
}

/** Start watching the kernel (Linux, `ip` present); undefined when not possible. */
export async function watchKernel(host: RuntimeHost, o: KernelWatchOptions): Promise<KernelWatcher | undefined> {
  if (process.platform !== "linux") return undefined;
  const w = new KernelWatcher(host, o);
  return (await w.start()) ? w : undefined;
}
