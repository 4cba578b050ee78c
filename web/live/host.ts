// The live lab's HIP host (runs in a Worker, web/live/worker.ts): the library's TunnelHost
// (src/runtime/browser.ts: HostStack with HIP, the WASM ESP data plane, mobility and the FA lease
// client) over a ReconnectingTunnel (src/transport/reconnect.ts), as connectTunnelHost builds
// it, with a packet tap set before the first FAQ. "Move" closes the transport
// under it; the tunnel comes back where the person chose (an opener that accepts only that FA and
// transport): the other transport of the same FA (the lease is renewed through the new tunnel,
// draft §4.4.1) or the other FA (a new lease and locator); either way the host re-announces its
// FA interface to the peer in an REA (§4.2, §6.4; src/runtime/tunnel-resume.ts) and reports one
// `path-changed`. Every datagram is reported as trace events with its bytes (an FA relay frame
// as the datagram inside it: leased locator ↔ peer, as on the FA–peer path), so the page draws,
// dissects and saves them.
import { fromHex } from "../../src/core/bytes.ts";
import { cryptoRng } from "../../src/core/rng.ts";
import type { Locator } from "../../src/core/types.ts";
import { DataPlane } from "../../src/esp/dataplane.ts";
import { isRelay, unwrapRelay } from "../../src/fa/core/relay.ts";
import { hitFromString, hitToString } from "../../src/hip/hit.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import { keyedSas } from "../../src/hip/sa.ts";
import type { LiveConfig } from "../../src/lab/live-config.ts";
import { HostObserver } from "../../src/lab/observe.ts";
import { TunnelHost } from "../../src/runtime/browser.ts";
import type { StackEvent } from "../../src/runtime/stack.ts";
import type { TraceEvent } from "../../src/sim/types.ts";
import { openEndpoint, ReconnectingTunnel, type TunnelEndpoint, type TunnelOpener } from "../../src/transport/reconnect.ts";
import type { Tunnel } from "../../src/transport/tunnel.ts";
import { loadWasm } from "../../src/wasm/loader.ts";
import { type Attachment, BROWSER, type FromWorker, PEER } from "./protocol.ts";

const PORT_SRC = 7000;
const PORT_DST = 7001;
const KIND = { wt: "webtransport", ws: "websocket" } as const;

export class LiveHost {
  readonly observer = new HostObserver(BROWSER);
  private host: TunnelHost | undefined;
  private readonly t0 = performance.now();
  private readonly peerHit: Uint8Array;
  private readonly endpoints: TunnelEndpoint[];
  /** Where the tunnel may (re)open: the person's choice. */
  private target: Attachment = { fa: 0, kind: "wt" };
  /** The transport open now (closed by a move). */
  private current: Tunnel | undefined;
  private nextId = 1;
  private seen = 0;
  private snapTimer: ReturnType<typeof setInterval> | undefined;
  private readonly waiters = new Set<(ev: StackEvent | { type: "path-changed" }) => void>();

  private constructor(
    private readonly cfg: LiveConfig,
    private readonly dataPlane: DataPlane,
    private readonly post: (m: FromWorker) => void,
  ) {
    this.peerHit = hitFromString(cfg.peer.hit)!;
    this.endpoints = cfg.fas.map((f) => ({
      fa: { locator: f.udp },
      webTransport: f.wt ? { url: f.wt.url, serverCertificateHashes: [fromHex(f.wt.hash)!] } : undefined,
      webSocket: f.ws,
    }));
  }

  static async create(cfg: LiveConfig, post: (m: FromWorker) => void): Promise<LiveHost> {
    return new LiveHost(cfg, new DataPlane(await loadWasm()), post);
  }

  get stack() {
    return this.host?.stack;
  }

  now(): number {
    return performance.now() - this.t0;
  }

  /** Open a tunnel to `at`, lease a locator, run the base exchange with the peer. */
  async start(at: Attachment): Promise<void> {
    this.target = at;
    this.note(`tunnel to ${this.cfg.fas[at.fa].name} over ${KIND[at.kind]}; lease request (FAQ, draft §5.1)`);
    // Only the chosen FA and transport open: a move decides where the tunnel comes back.
    const opener: TunnelOpener = async (e, kind, timeoutMs) => {
      if (this.endpoints.indexOf(e) !== this.target.fa || kind !== KIND[this.target.kind]) throw new Error("not where the person moved");
      const t = await openEndpoint(e, kind, timeoutMs);
      this.current = t;
      return t;
    };
    // Reopen at once; no PING liveness (a move is a close we make ourselves).
    const tunnel = await ReconnectingTunnel.connect(this.endpoints, cryptoRng, { initialDelayMs: 20, maxDelayMs: 200, pingIntervalMs: 0, attemptTimeoutMs: 5000 }, opener);
    const host = new TunnelHost({
      identity: HostIdentity.generate(cryptoRng),
      tunnel,
      fa: tunnel.endpoint.fa,
      lease: { addrType: 4, spis: 16, privacy: true, retryMs: 500, tries: 3 },
      hip: { puzzleK: 4 },
      mobility: {},
      dataPlane: this.dataPlane,
      // One time base for the packets (the tap gets this clock) and the notes.
      clock: () => this.now(),
    });
    this.host = host;
    // Watch from the first datagram on (the FAQ).
    host.driver.tap = (dir, now, data, from, to) => this.trace(dir, now, data, from, to);
    host.on("event", (ev) => this.onEvent(ev));
    host.on("path-changed", (ev) => {
      this.note(`back ${ev.faChanged ? "at another FA" : "at the same FA"} over ${ev.kind} after ${ev.outageMs} ms: ${ev.leaseChanged ? "new lease" : "lease renewed"}; REA to the peer (§4.2)`, BROWSER);
      this.reportAttached();
      for (const w of this.waiters) w({ type: "path-changed" });
    });
    host.on("tunnel-closed", ({ reason }) => this.note(`tunnel closed for good: ${reason}`));
    try {
      await host.acquireLease(8000);
    } catch (e) {
      await host.close(0);
      throw e;
    }
    this.snapTimer = setInterval(() => this.snapshot(), 250);
    this.reportAttached();
    const p = this.cfg.peer.locator;
    this.note(`base exchange with the peer at ${p.ip}:${p.port} from the leased locator (RFC 7401 §4.1)`);
    await host.connect(p, this.peerHit, { timeoutMs: 15_000 });
  }

  send(text: string): void {
    this.host?.send(this.peerHit, PORT_SRC, PORT_DST, new TextEncoder().encode(text));
  }

  /** Drop the tunnel; it comes back at `at` (the other transport, or the other FA). */
  async move(at: Attachment): Promise<void> {
    const now = this.endpointNow();
    const from = (now && this.cfg.fas[this.endpoints.indexOf(now)]?.name) ?? "the FA";
    this.note(`move: the tunnel to ${from} goes down; back through ${this.cfg.fas[at.fa].name} over ${KIND[at.kind]}`);
    this.target = at;
    const back = this.until((ev) => ev.type === "path-changed", "the tunnel did not come back", 15_000);
    await this.current?.close(500);
    await back;
  }

  async close(): Promise<void> {
    clearInterval(this.snapTimer);
    await this.host?.close(500);
    await this.host?.socket.tunnel.close(0);
  }

  private endpointNow(): TunnelEndpoint | undefined {
    const l = this.host?.socket.fa;
    return this.endpoints.find((e) => l && e.fa.locator.ip === l.ip && e.fa.locator.port === l.port);
  }

  private reportAttached(): void {
    const l = this.host?.lease;
    const hex = (n: number) => `0x${n.toString(16)}`;
    const at = { ...this.target };
    this.post({
      type: "attached", t: this.now(), at, tunnel: this.host?.socket.tunnel.kind ?? "?",
      lease: l ? `${l.locator.ip}:${l.locator.port}` : "none", spis: l ? `${hex(l.spiMin)}–${hex(l.spiMax)}` : "",
    });
  }

  private faName(l: Locator): string {
    return this.cfg.fas.find((f) => f.udp.ip === l.ip && f.udp.port === l.port)?.name ?? "FA";
  }

  /** One datagram through the tunnel: relay frames as the inner datagram (leased ↔ peer). */
  private trace(dir: "in" | "out", t: number, data: Uint8Array, from: Locator, to: Locator): void {
    const inner = isRelay(data) ? unwrapRelay(data) : undefined;
    const ev = (kind: TraceEvent["kind"], node: string, f: Locator, d: Locator, bytes: Uint8Array): TraceEvent => ({ t, kind, id: this.nextId, from: f, to: d, bytes: bytes.length, node, data: kind === "sent" ? bytes.slice() : undefined });
    let sent: TraceEvent;
    let got: TraceEvent;
    if (inner?.src && inner.dst) {
      const [src, dst] = dir === "out" ? [BROWSER, PEER] : [PEER, BROWSER];
      sent = ev("sent", src, inner.src, inner.dst, inner.payload);
      got = ev("delivered", dst, inner.src, inner.dst, inner.payload);
    } else {
      const fa = this.faName(dir === "out" ? to : from);
      const [src, dst] = dir === "out" ? [BROWSER, fa] : [fa, BROWSER];
      sent = ev("sent", src, from, to, data);
      got = ev("delivered", dst, from, to, data);
    }
    this.nextId++;
    this.post({ type: "trace", ev: sent });
    this.post({ type: "trace", ev: got });
  }

  private note(text: string, node?: string): void {
    this.post({ type: "note", t: this.now(), node, text });
  }

  private onEvent(ev: StackEvent): void {
    const t = this.now();
    this.observer.onEvent(t, ev);
    const dec = new TextDecoder();
    switch (ev.type) {
      case "established":
        this.post({ type: "established", t, peer: hitToString(ev.peerHit) });
        this.note(`ESTABLISHED as ${ev.initiator ? "Initiator" : "Responder"}`, BROWSER);
        break;
      case "sa-install":
        for (const sa of [ev.inbound, ev.outbound]) this.post({ type: "keys", keys: { t, node: BROWSER, dir: sa.direction, spi: sa.spi, suite: sa.suite, encKey: sa.encKey.slice(), authKey: sa.authKey.slice() } });
        this.note(`ESP SAs installed: in 0x${hex8(ev.inbound.spi)}, out 0x${hex8(ev.outbound.spi)}`, BROWSER);
        break;
      case "sa-add":
      case "sa-rekey": // a rekey's outbound SA (and inbound one after a new Diffie-Hellman) is only here
        for (const sa of keyedSas(ev)) this.post({ type: "keys", keys: { t, node: BROWSER, dir: sa.direction, spi: sa.spi, suite: sa.suite, encKey: sa.encKey.slice(), authKey: sa.authKey.slice() } });
        break;
      case "message":
        this.post({ type: "reply", t, text: dec.decode(ev.data) });
        break;
      case "mobility":
        if (ev.ev.type === "path-changed" && ev.ev.path) this.note(`data path now ${ev.ev.path.from.ip}:${ev.ev.path.from.port} → ${ev.ev.path.to.ip}:${ev.ev.path.to.port} (${ev.ev.reason})`, BROWSER);
        break;
      case "fa":
        if (ev.ev.type === "leased") this.note(`${ev.ev.renewed ? "lease renewed" : "leased"} ${ev.ev.lease.locator.ip}:${ev.ev.lease.locator.port} SPIs 0x${ev.ev.lease.spiMin.toString(16)}–0x${ev.ev.lease.spiMax.toString(16)} (FAA)`, BROWSER);
        else if (ev.ev.type === "refused") this.note(`FA refused: ${ev.ev.reasonName}`, BROWSER);
        break;
      case "failed":
      case "closed":
        this.note(`association ${ev.type}: ${ev.reason}`, BROWSER);
        break;
      case "drop":
        this.note(`dropped ${ev.packetType ?? "packet"}: ${ev.reason}`, BROWSER);
        break;
    }
    for (const l of this.waiters) l(ev);
    queueMicrotask(() => this.snapshot());
  }

  /** Record the host's addresses and SAs when they changed (after events, and every 250 ms). */
  private snapshot(): void {
    const stack = this.host?.stack;
    if (!stack) return;
    const hit = stack.host.association(this.peerHit) ? this.peerHit : undefined;
    this.observer.snapshot(this.now(), stack, hit ? stack.mobility?.session(hit) : undefined);
    const states = this.observer.states;
    for (; this.seen < states.length; this.seen++) this.post({ type: "state", node: BROWSER, state: states[this.seen] });
  }

  private until(match: (ev: StackEvent | { type: "path-changed" }) => boolean, what: string, timeoutMs = 8000): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.waiters.delete(w);
        if (ok) resolve();
        else reject(new Error(what));
      };
      const w = (ev: StackEvent | { type: "path-changed" }) => {
        if (match(ev)) done(true);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      this.waiters.add(w);
    });
  }
}

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, "0");
}
