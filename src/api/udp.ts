// A UDP Transport for runtimes with datagram sockets (Node, Deno): the host binds one socket
// per listen locator (multi-homing) and can bind more later (moves). The socket binder comes
// from the runtime entry point (hipmm/node: node:dgram, hipmm/deno: Deno.listenDatagram).
import type { Locator } from "../core/types.ts";
import type { WorkerDataPlane } from "../esp/remote.ts";
import { newRuntimeHost, type RuntimeHost, type RuntimeHostOptions, resolveDataPlane } from "../runtime/host.ts";
import { WorkerIo } from "../runtime/worker-io.ts";
import type { DatagramSocket } from "../transport/types.ts";
import { toHit, toLocator } from "./host.ts";
import type { ForwardingAgentAddress, LocatorLike, Transport } from "./types.ts";

export type Binder = (at: Locator) => Promise<DatagramSocket>;

/** Options of a UDP transport beyond the locators to bind. */
export interface UdpTransportOptions {
  /**
   * ESP in the caller's thread ("inline", default), batched in a Worker ("worker"), or in a Worker
   * that also owns the sockets ("worker-io", hipmm/node and hipmm/deno: the data path never
   * touches the caller's thread; docs/ARCHITECTURE.md "The Worker owns the sockets").
   */
  dataPlane?: "inline" | "worker" | "worker-io";
  /**
   * Follow the machine's interfaces (hipmm/node, hipmm/deno): a new address is bound and announced
   * to every peer (REA), one removed is given up, a link that loses carrier takes its addresses out
   * of use until it is back, as `hipmm host` does (hipmm/node on Linux: kernel events through `ip
   * monitor`; elsewhere `os.networkInterfaces()` polled; hipmm/deno: `Deno.networkInterfaces()`
   * polled, permission `--allow-sys=networkInterfaces`). Watched: the interfaces holding the given
   * locators, plus `prefer` (best first, draft §3.3) or exactly `interfaces`. Needs mobility (the
   * default).
   */
  followInterfaces?: boolean | FollowInterfacesOptions;
}

/** What {@link UdpTransportOptions.followInterfaces} watches. */
export interface FollowInterfacesOptions {
  /** Interface names, best first ("eth0", "wlan0"): watched, and with kernel events (hipmm/node on
   *  Linux) their addresses preferred in this order (draft §3.3); polling only watches them. */
  prefer?: readonly string[];
  /** Exactly these interfaces (default: those holding the given locators, plus `prefer`). */
  interfaces?: readonly string[];
  /** Poll period where kernel events are not available (default 1000 ms). */
  pollMs?: number;
}

/** @internal FA address to the low-level FaClientOptions. */
export function faTarget(fa: ForwardingAgentAddress): { locator: Locator; hit?: Uint8Array } {
  return { locator: toLocator(fa.locator), ...(fa.hit !== undefined ? { hit: toHit(fa.hit) } : {}) };
}

/** @internal What a runtime entry point adds to the hosts its `udp()` starts. */
export interface UdpRuntime {
  /** The crypto provider (default: WebCrypto where it exists, core/crypto/detect.ts). Node:
   * node:crypto, synchronous, as startNodeHost (runtime/node.ts nodeHostCrypto). */
  crypto?(o: RuntimeHostOptions): RuntimeHostOptions["crypto"];
  /** Called once with the new host (Node: the first R1 generation made now). */
  ready?(host: RuntimeHost): void;
  /** Follows the machine's interfaces for `host` (hipmm/node: runtime/mobility-node.ts; hipmm/deno:
   *  runtime/deno-follow.ts). */
  follow?(host: RuntimeHost, o: FollowInterfacesOptions & { port: number }, bind: (ip: string, port: number) => Promise<DatagramSocket>): Promise<{ stop(): void }>;
}

/** @internal A UDP transport over `bind`. */
export function udpTransport(bind: Binder, listen: LocatorLike[], o: UdpTransportOptions = {}, workerIo = false, rt: UdpRuntime = {}): Transport {
  if (listen.length === 0) throw new Error("udp(): give at least one locator to bind (\"127.0.0.1:0\")");
  if (o.dataPlane === "worker-io" && !workerIo) throw new Error('udp(): dataPlane "worker-io" needs sockets a Worker can own (hipmm/node, hipmm/deno)');
  if (o.followInterfaces && !rt.follow) throw new TypeError("udp(): followInterfaces needs hipmm/node or hipmm/deno (elsewhere call host.move())");
  // worker-io: every socket, those bound later for a move too, is the Worker's.
  let io: WorkerIo | undefined;
  const binder: Binder = (at) => (io ? io.bind(at.ip, at.port) : bind(at));
  return {
    kind: "udp",
    bind: binder,
    async start(b) {
      if (o.followInterfaces && b.mobility === false) throw new TypeError("udp(): followInterfaces needs mobility (REA/AC/ACR): it announces the addresses it follows");
      const host = await startHost(b);
      if (o.followInterfaces && rt.follow) {
        const f = o.followInterfaces === true ? {} : o.followInterfaces;
        // A watcher that cannot start (Deno without --allow-sys) leaves nothing running.
        const watch = await rt.follow(host, { ...f, port: host.locals[0]?.port ?? 0 }, (ip, port) => binder({ ip, port })).catch(async (e: Error) => {
          await host.close(0);
          throw e;
        });
        host.onClose(() => watch.stop());
      }
      return host;
    },
  };

  async function startHost(b: Parameters<Transport["start"]>[0]): Promise<RuntimeHost> {
    const sockets: DatagramSocket[] = [];
    let dp: WorkerDataPlane | undefined;
    try {
      if (o.dataPlane === "worker-io") {
        ({ dp, io } = await WorkerIo.start(b.hip?.limits));
      }
      for (const l of listen) sockets.push(await binder(toLocator(l)));
      const opts: RuntimeHostOptions = {
        identity: b.identity,
        ...(b.hip ? { hip: b.hip } : {}),
        ...(b.mobility !== undefined ? { mobility: b.mobility } : {}),
        ...(b.rng ? { rng: b.rng } : {}),
        ...(b.rekey ? { rekey: b.rekey } : {}),
        ...(b.sendQueue ? { sendQueue: b.sendQueue } : {}),
        ...(b.fa ? { fa: { fas: [faTarget(b.fa)] } } : {}),
        ...(o.dataPlane === "worker" ? { dataPlane: "worker" as const } : {}),
      };
      const crypto = rt.crypto?.(opts);
      if (crypto) opts.crypto = crypto;
      const host =
        dp && io
          ? newRuntimeHost(sockets, { ...(await resolveDataPlane(opts)), dataPlane: dp, closeDataPlane: true, workerIo: io })
          : newRuntimeHost(sockets, await resolveDataPlane(opts));
      rt.ready?.(host);
      return host;
    } catch (e) {
      await Promise.all(sockets.map((s) => s.close()));
      io?.close();
      io = undefined;
      await dp?.close();
      throw e;
    }
  }
}
