// The live lab's HIP host (runs in a Worker, web/live/worker.ts): a HostStack (HIP + WASM ESP
// data plane + mobility + FA lease client) whose only "socket" is a tunnel to a Forwarding
// Agent — as src/runtime/browser.ts TunnelHost, but the tunnel can be swapped: "move" drops the
// tunnel and comes back over the other transport (same FA: a lease renewal moves forwarding,
// draft §4.4.1) or to the second FA (a new lease, new locator: REA to the peer, §4.2/§4.4.2).
// Every datagram is reported as trace events with its bytes (the FA relay frame unwrapped:
// leased locator ↔ peer, as on the FA–peer path), so the page draws, dissects and saves them.
import { fromHex } from "../../src/core/bytes.ts";
import { cryptoRng } from "../../src/core/rng.ts";
import type { Locator, Millis, Transmit } from "../../src/core/types.ts";
import { DataPlane } from "../../src/esp/dataplane.ts";
import { isRelay, unwrapRelay } from "../../src/fa/core/relay.ts";
import { hitFromString, hitToString } from "../../src/hip/hit.ts";
import { HostIdentity } from "../../src/hip/identity.ts";
import type { LiveConfig } from "../../src/lab/live-config.ts";
import { HostObserver } from "../../src/lab/observe.ts";
import { EndpointDriver } from "../../src/runtime/driver.ts";
import { HostStack, type StackEvent } from "../../src/runtime/stack.ts";
import type { TraceEvent } from "../../src/sim/types.ts";
import { SocketSet } from "../../src/transport/socket-set.ts";
import { type Tunnel, TunnelSocket, WsTunnel } from "../../src/transport/tunnel.ts";
import type { DatagramHandler, DatagramSocket } from "../../src/transport/types.ts";
import { WtTunnel } from "../../src/transport/wt-client.ts";
import { loadWasm } from "../../src/wasm/loader.ts";
import { type Attachment, BROWSER, type FromWorker, PEER } from "./protocol.ts";

/** Where the browser host "is" before it has a lease: its end of the tunnel. */
const TUNNEL_END: Locator = { ip: "0.0.0.0", port: 0 };
const PORT_SRC = 7000;
const PORT_DST = 7001;

/** One DatagramSocket whose tunnel (and FA) can be replaced. */
class SwitchSocket implements DatagramSocket {
  readonly local = TUNNEL_END;
  private cur: TunnelSocket | undefined;
  private handler: DatagramHandler | undefined;

  /** Datagrams the current tunnel could not take (closed, or for another FA: we moved). */
  get sendErrors(): number {
    return this.cur?.sendErrors ?? 0;
  }

  get tunnel(): Tunnel | undefined {
    return this.cur?.tunnel;
  }

  attach(s: TunnelSocket): TunnelSocket | undefined {
    const old = this.cur;
    this.cur = s;
    s.onDatagram((d, f, t) => this.handler?.(d, f, t));
    return old;
  }

  send(t: Transmit): void {
    this.cur?.send(t);
  }

  onDatagram(cb: DatagramHandler): void {
    this.handler = cb;
  }

  async close(): Promise<void> {
    await this.cur?.close();
  }
}

export class LiveHost {
  readonly stack: HostStack;
  readonly driver: EndpointDriver;
  readonly observer = new HostObserver(BROWSER);
  private readonly socket = new SwitchSocket();
  private readonly t0 = performance.now();
  private readonly peerHit: Uint8Array;
  private nextId = 1;
  private seen = 0;
  private faIndex = 0;

  private constructor(
    private readonly cfg: LiveConfig,
    dataPlane: DataPlane,
    private readonly post: (m: FromWorker) => void,
  ) {
    this.peerHit = hitFromString(cfg.peer.hit)!;
    this.stack = new HostStack({
      host: { identity: HostIdentity.generate(cryptoRng), rng: cryptoRng, puzzleK: 4 },
      dataPlane,
      onEvent: (ev) => this.onEvent(ev),
      mobility: {},
      // Privacy (§3.2): peers only ever see a leased locator. FAQ retries short: a lab.
      fa: { addrType: 4, spis: 16, privacy: true, retryMs: 500, tries: 3, fas: cfg.fas.map((f) => ({ locator: f.udp })) },
    });
    this.driver = new EndpointDriver(this.stack, new SocketSet([this.socket]), () => this.now(), () => this.afterInput());
    this.driver.tap = (dir, now, data, from, to) => this.trace(dir, now, data, from, to);
  }

  static async create(cfg: LiveConfig, post: (m: FromWorker) => void): Promise<LiveHost> {
    return new LiveHost(cfg, new DataPlane(await loadWasm()), post);
  }

  now(): Millis {
    return performance.now() - this.t0;
  }

  /** Open a tunnel to `at`, lease a locator, run the base exchange with the peer. */
  async start(at: Attachment): Promise<void> {
    await this.attach(at);
    this.note(`lease request (FAQ, draft §5.1) to ${this.cfg.fas[at.fa].name}`);
    const leased = this.until((ev) => ev.type === "fa" && ev.ev.type === "leased", "no lease from the FA");
    this.stack.startFa(this.now());
    this.driver.flush();
    await leased;
    this.reportAttached(at);
    const p = this.cfg.peer.locator;
    this.note(`base exchange with the peer at ${p.ip}:${p.port} from the leased locator (RFC 7401 §4.1)`);
    const up = this.until((ev) => ev.type === "established", "base exchange timed out", 15_000);
    this.stack.connect(this.now(), p, this.peerHit, this.stack.fa!.lease!.locator);
    this.driver.flush();
    await up;
  }

  send(text: string): void {
    this.stack.send(this.peerHit, PORT_SRC, PORT_DST, new TextEncoder().encode(text), this.now());
    this.driver.flush();
  }

  /** Drop the tunnel and come back at `at` (the other transport, or the other FA). */
  async move(at: Attachment): Promise<void> {
    const from = this.cfg.fas[this.faIndex].name;
    this.note(`move: the tunnel to ${from} goes down; back through ${this.cfg.fas[at.fa].name} over ${at.kind === "wt" ? "WebTransport" : "WebSocket"}`);
    const old = this.socket.tunnel;
    const wait = this.until((ev) => ev.type === "fa" && ev.ev.type === "leased", "no lease after the move");
    await old?.close(500);
    await this.attach(at);
    // Same FA: a renewal from the new tunnel moves forwarding (§4.4.1). Other FA: a new lease,
    // whose locator the mobility extension announces to the peer in an REA (§4.2).
    this.stack.fa!.switchTo(this.now(), at.fa);
    this.driver.flush();
    await wait;
    this.reportAttached(at);
  }

  async close(): Promise<void> {
    if (this.stack.fa?.lease && !this.socket.tunnel?.closed) {
      this.stack.fa.release(this.now());
      this.driver.flush();
      await new Promise((r) => setTimeout(r, 100));
    }
    await this.driver.close();
  }

  private async attach(at: Attachment): Promise<void> {
    const fa = this.cfg.fas[at.fa];
    let tunnel: Tunnel;
    if (at.kind === "wt") {
      if (!fa.wt) throw new Error(`${fa.name} offers no WebTransport`);
      tunnel = await WtTunnel.connect(fa.wt.url, { serverCertificateHashes: [fromHex(fa.wt.hash)!], timeoutMs: 5000 });
    } else {
      if (!fa.ws) throw new Error(`${fa.name} offers no WebSocket`);
      tunnel = await WsTunnel.connect(fa.ws);
    }
    this.faIndex = at.fa;
    tunnel.onClose = (reason) => this.note(`tunnel to ${fa.name} closed: ${reason}`);
    this.socket.attach(new TunnelSocket(tunnel, fa.udp));
  }

  private reportAttached(at: Attachment): void {
    const l = this.stack.fa?.lease;
    const hex = (n: number) => `0x${n.toString(16)}`;
    this.post({
      type: "attached", t: this.now(), at, tunnel: this.socket.tunnel?.kind ?? "?",
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
        this.post({ type: "keys", keys: { t, node: BROWSER, dir: ev.sa.direction, spi: ev.sa.spi, suite: ev.sa.suite, encKey: ev.sa.encKey.slice(), authKey: ev.sa.authKey.slice() } });
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
  }

  private afterInput(): void {
    const hit = this.stack.host.association(this.peerHit) ? this.peerHit : undefined;
    this.observer.snapshot(this.now(), this.stack, hit ? this.stack.mobility?.session(hit) : undefined);
    const states = this.observer.states;
    for (; this.seen < states.length; this.seen++) this.post({ type: "state", node: BROWSER, state: states[this.seen] });
  }

  private readonly waiters = new Set<(ev: StackEvent) => void>();

  private until(match: (ev: StackEvent) => boolean, what: string, timeoutMs = 8000): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.waiters.delete(w);
        if (ok) resolve();
        else reject(new Error(what));
      };
      const w = (ev: StackEvent) => {
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
