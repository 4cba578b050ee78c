// The "Live host" panel (issue 14 item 5): starts the Worker with a real HIP host, connects it
// through a Forwarding Agent (WebTransport or WebSocket; the FAs and the UDP peer come from the
// dev server's live.json, src/lab/live-node.ts), sends text the peer echoes, streams pings,
// and "moves" the host: the tunnel goes down and comes back over the other transport or to the
// other FA. Every message from the Worker feeds a LiveRunSource, drawn by the demo's views.
import type { Player } from "../demo/player.ts";
import { esc } from "../demo/svg.ts";
import { type Attachment, type FromWorker, type LiveConfig, type ToWorker, transportsOf } from "./protocol.ts";
import { LivePlayer, LiveRunSource } from "./source.ts";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const KIND = { wt: "WebTransport", ws: "WebSocket" } as const;
const PING_MS = 250;

export interface LiveHooks {
  /** A new live run: make it the player on screen. */
  adopt(p: LivePlayer): void;
  /** Redraw the views (the player's frame callback). */
  draw(p: Player): void;
  /** Lanes changed (a node appeared). */
  lanes(src: LiveRunSource): void;
}

export type LiveState = "idle" | "loading" | "unavailable" | "connecting" | "connected" | "moving" | "stopped" | "error";

export class LivePanel {
  state: LiveState = "idle";
  config: LiveConfig | undefined;
  player: LivePlayer | undefined;
  attached: Attachment | undefined;
  replies: string[] = [];
  error: string | undefined;
  private worker: Worker | undefined;
  private ping: ReturnType<typeof setInterval> | undefined;
  private tick: ReturnType<typeof setInterval> | undefined;
  private pings = 0;
  private frame = 0;
  private nodes = 0;
  private readonly ui = {
    panel: $("live-panel"),
    state: $("live-state"),
    via: $<HTMLSelectElement>("live-via"),
    connect: $<HTMLButtonElement>("live-connect"),
    stop: $<HTMLButtonElement>("live-stop"),
    text: $<HTMLInputElement>("live-text"),
    send: $<HTMLButtonElement>("live-send"),
    stream: $<HTMLInputElement>("live-stream"),
    moveTo: $<HTMLSelectElement>("live-move-to"),
    move: $<HTMLButtonElement>("live-move"),
    info: $("live-info"),
    replies: $("live-replies"),
  };

  constructor(private readonly hooks: LiveHooks) {
    this.ui.connect.addEventListener("click", () => void this.connect());
    this.ui.stop.addEventListener("click", () => this.stop());
    this.ui.send.addEventListener("click", () => this.send(this.ui.text.value));
    this.ui.text.addEventListener("keydown", (e) => {
      if (e.key === "Enter") this.send(this.ui.text.value);
    });
    this.ui.move.addEventListener("click", () => this.move());
    this.ui.stream.addEventListener("change", () => this.streaming());
    this.render();
  }

  get active(): boolean {
    return !this.ui.panel.hidden;
  }

  /** Show or hide the panel (the page's mode); the first show loads live.json. */
  async show(on: boolean): Promise<void> {
    this.ui.panel.hidden = !on;
    if (on && this.player) this.hooks.adopt(this.player);
    if (on && this.state === "idle") await this.load();
  }

  private async load(): Promise<void> {
    this.set("loading");
    try {
      const r = await fetch("./live.json", { cache: "no-store" });
      if (!r.ok) throw new Error(`live.json: HTTP ${r.status}`);
      this.config = (await r.json()) as LiveConfig;
      const opts = this.config.fas.flatMap((f, i) => transportsOf(this.config!, i).map((k) => ({ value: `${i}:${k}`, label: `${f.name} · ${KIND[k]}` })));
      for (const sel of [this.ui.via, this.ui.moveTo]) sel.replaceChildren(...opts.map((o) => new Option(o.label, o.value)));
      this.set("idle");
    } catch (e) {
      this.error = `live mode needs the FAs and the UDP peer that \`npm run dev\` starts (${e instanceof Error ? e.message : String(e)})`;
      this.set("unavailable");
    }
  }

  async connect(): Promise<void> {
    if (!this.config || (this.state !== "idle" && this.state !== "stopped" && this.state !== "error")) return;
    this.worker?.terminate();
    this.error = undefined;
    this.replies = [];
    this.nodes = 0;
    const src = new LiveRunSource(this.config);
    this.player = new LivePlayer(src, (p) => this.hooks.draw(p));
    this.hooks.adopt(this.player);
    const at = parseAttachment(this.ui.via.value);
    this.worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
    this.worker.addEventListener("message", (ev: MessageEvent<FromWorker>) => this.onMessage(ev.data));
    this.worker.addEventListener("error", (ev) => this.failed(ev.message || "worker error"));
    this.set("connecting");
    this.post({ type: "start", config: this.config, at });
    this.tick = setInterval(() => this.schedule(), 500);
  }

  send(text: string): void {
    if (this.state !== "connected" && this.state !== "moving") return;
    this.post({ type: "send", text: text.slice(0, 1000) });
  }

  move(): void {
    if (this.state !== "connected") return;
    const at = parseAttachment(this.ui.moveTo.value);
    this.set("moving");
    this.post({ type: "move", at });
  }

  stop(): void {
    if (!this.worker) return;
    this.post({ type: "stop" });
    clearInterval(this.ping);
    this.ping = undefined;
  }

  private post(m: ToWorker): void {
    this.worker?.postMessage(m);
  }

  private onMessage(m: FromWorker): void {
    const src = this.player?.src as LiveRunSource | undefined;
    if (src?.ingest(m)) this.schedule();
    switch (m.type) {
      case "attached":
        this.attached = m.at;
        this.info = { tunnel: m.tunnel, lease: m.lease, spis: m.spis, fa: this.config?.fas[m.at.fa]?.name ?? "?" };
        if (this.state === "moving") this.set("connected");
        this.pickNextMove();
        break;
      case "established":
        this.set("connected");
        this.streaming();
        break;
      case "reply":
        this.replies.push(m.text);
        if (this.replies.length > 50) this.replies.shift();
        this.render();
        break;
      case "error":
        this.failed(m.message);
        break;
      case "stopped":
        clearInterval(this.tick);
        this.worker?.terminate();
        this.worker = undefined;
        this.set("stopped");
        break;
    }
    if (src && src.log.nodes.length !== this.nodes) {
      this.nodes = src.log.nodes.length;
      this.hooks.lanes(src);
    }
  }

  private info: Record<string, string> = {};

  private failed(message: string): void {
    this.error = message;
    clearInterval(this.ping);
    this.ping = undefined;
    this.set(this.state === "moving" ? "connected" : "error");
  }

  private streaming(): void {
    clearInterval(this.ping);
    this.ping = undefined;
    if (this.ui.stream.checked && (this.state === "connected" || this.state === "moving")) this.ping = setInterval(() => this.send(`ping ${this.pings++}`), PING_MS);
  }

  /** Redraw at most once per animation frame. */
  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      if (this.active) this.player?.follow();
    });
  }

  /** Offer the first attachment that is not the current one as the move target. */
  private pickNextMove(): void {
    const cur = this.attached ? `${this.attached.fa}:${this.attached.kind}` : "";
    const other = [...this.ui.moveTo.options].find((o) => o.value !== cur);
    if (other) this.ui.moveTo.value = other.value;
  }

  private set(s: LiveState): void {
    this.state = s;
    this.render();
  }

  private render(): void {
    const s = this.state;
    const u = this.ui;
    u.state.textContent = s;
    u.state.dataset.state = s;
    const idle = s === "idle" || s === "stopped" || s === "error";
    u.connect.disabled = !this.config || !idle;
    u.via.disabled = !this.config || !idle;
    u.stop.disabled = idle || s === "loading" || s === "unavailable";
    u.send.disabled = s !== "connected" && s !== "moving";
    u.move.disabled = s !== "connected";
    u.moveTo.disabled = s !== "connected";
    const rows = Object.entries(this.info).map(([k, v]) => `<dt>${esc(k)}</dt><dd data-live="${esc(k)}">${esc(v)}</dd>`);
    if (this.error) rows.push(`<dt>problem</dt><dd class="bad" data-live="error">${esc(this.error)}</dd>`);
    u.info.innerHTML = rows.join("");
    u.replies.innerHTML = this.replies.slice(-5).map((r) => `<li>${esc(r.length > 80 ? `${r.slice(0, 80)}…` : r)}</li>`).join("");
    u.replies.dataset.count = String(this.replies.length);
  }
}

function parseAttachment(v: string): Attachment {
  const [fa, kind] = v.split(":");
  return { fa: Number(fa) || 0, kind: kind === "wt" ? "wt" : "ws" };
}
