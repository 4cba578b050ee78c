// The "Lab" panel: per-link parameters and timed actions (src/lab/spec.ts) a student adds to a
// src/lab scenario. Every change re-simulates the run from the seed and the spec, and the URL
// (share link) encodes scenario + seed + links + actions, so the same link gives the same run.
import { ACTION_HELP, ACTION_KINDS, type ActionKind, encodeActions, encodeLinks, LIMITS, type LabSpec, type LinkOverride } from "../../src/lab/spec.ts";
import { esc } from "./svg.ts";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const LABEL: Record<ActionKind, string> = {
  move: "move host",
  drop: "drop interface",
  restore: "restore interface",
  renumber: "renumber",
  restart: "restart host (no state)",
  "power-off": "power off host",
  "crash-fa": "crash the FA",
  "forge-rea": "attack: forged REA",
  "replay-i2": "attack: replayed I2",
  flood: "attack: flood from a spoofed address",
};

export class LabPanel {
  spec: LabSpec = { links: [], actions: [] };
  private nodes: string[] = [];
  private readonly ui = {
    note: $("lab-note"),
    body: $("lab-body"),
    pair: $<HTMLSelectElement>("link-pair"),
    lat: $<HTMLInputElement>("link-lat"),
    jit: $<HTMLInputElement>("link-jit"),
    loss: $<HTMLInputElement>("link-loss"),
    bw: $<HTMLInputElement>("link-bw"),
    apply: $<HTMLButtonElement>("link-apply"),
    links: $("link-list"),
    kind: $<HTMLSelectElement>("act-kind"),
    node: $<HTMLSelectElement>("act-node"),
    t: $<HTMLInputElement>("act-t"),
    add: $<HTMLButtonElement>("act-add"),
    actions: $("act-list"),
    msg: $("lab-msg"),
  };

  constructor(private readonly onChange: () => void) {
    for (const k of ACTION_KINDS) this.ui.kind.add(new Option(LABEL[k], k));
    this.ui.kind.addEventListener("change", () => this.fillNodes());
    this.ui.add.addEventListener("click", () => this.addAction());
    this.ui.apply.addEventListener("click", () => this.applyLink());
    this.ui.pair.addEventListener("change", () => this.showLink());
    for (const list of [this.ui.links, this.ui.actions])
      list.addEventListener("click", (e) => {
        const b = (e.target as Element).closest("button[data-remove]");
        if (!b) return;
        const i = Number(b.getAttribute("data-remove"));
        if (list === this.ui.links) this.spec.links.splice(i, 1);
        else this.spec.actions.splice(i, 1);
        this.changed();
      });
  }

  /** The scenario changed: enable the panel for lab scenarios, offer its nodes. */
  setScenario(isLab: boolean, nodes: string[]): void {
    this.nodes = nodes;
    this.ui.body.hidden = !isLab;
    this.ui.note.textContent = isLab
      ? "Change the network or add events; the run is simulated again from the seed (same inputs → same run). Times are virtual ms."
      : "Lab controls apply to the src/lab scenarios (all but the two base-exchange runs).";
    const pairs: string[] = [];
    for (let i = 0; i < nodes.length; i++) for (let j = i + 1; j < nodes.length; j++) pairs.push(`${nodes[i]}-${nodes[j]}`);
    const keep = this.ui.pair.value;
    this.ui.pair.replaceChildren(...pairs.map((p) => new Option(p.replace("-", " ↔ "), p)));
    if (pairs.includes(keep)) this.ui.pair.value = keep;
    this.fillNodes();
    this.showLink();
    this.render();
  }

  /** Messages for the panel (spec entries that do not fit the scenario). */
  setMessages(msgs: string[]): void {
    this.ui.msg.hidden = msgs.length === 0;
    this.ui.msg.innerHTML = msgs.map((m) => `<li>${esc(m)}</li>`).join("");
  }

  private fillNodes(): void {
    const kind = this.ui.kind.value as ActionKind;
    const keep = this.ui.node.value;
    const ok = this.nodes.filter((n) => (kind === "crash-fa" ? /^FA\d$/.test(n) : n === "A" || n === "B"));
    this.ui.node.replaceChildren(...ok.map((n) => new Option(n, n)));
    if (ok.includes(keep)) this.ui.node.value = keep;
    else if (kind === "replay-i2" || kind === "flood") this.ui.node.value = "B"; // B answered the I1/I2
    this.ui.add.disabled = ok.length === 0;
    this.ui.add.title = ok.length ? ACTION_HELP[kind] : "no Forwarding Agent in this scenario";
    this.ui.kind.title = ACTION_HELP[kind];
  }

  private showLink(): void {
    const [a, b] = this.ui.pair.value.split("-");
    const l = this.spec.links.find((x) => x.a === a && x.b === b);
    this.ui.lat.value = l?.latency !== undefined ? String(l.latency) : "";
    this.ui.jit.value = l?.jitter !== undefined ? String(l.jitter) : "";
    this.ui.loss.value = l?.loss !== undefined ? String(l.loss) : "";
    this.ui.bw.value = l?.bandwidth !== undefined ? String(l.bandwidth / 1000) : "";
  }

  private applyLink(): void {
    const [a, b] = this.ui.pair.value.split("-");
    if (!a || !b) return;
    const l: LinkOverride = { a, b };
    const errs: string[] = [];
    const num = (el: HTMLInputElement, name: string, lo: number, hi: number, scale = 1): number | undefined => {
      if (el.value.trim() === "") return undefined;
      const v = Number(el.value);
      if (!Number.isFinite(v) || v < lo || v > hi) {
        errs.push(`${name} must be from ${lo} to ${hi}`);
        return undefined;
      }
      return v * scale;
    };
    l.latency = num(this.ui.lat, "latency (ms)", 0, LIMITS.latency);
    l.jitter = num(this.ui.jit, "jitter (ms)", 0, LIMITS.jitter);
    l.loss = num(this.ui.loss, "loss (%)", 0, 100);
    l.bandwidth = num(this.ui.bw, "bandwidth (kB/s)", LIMITS.bandwidthMin / 1000, LIMITS.bandwidthMax / 1000, 1000);
    for (const k of Object.keys(l) as (keyof LinkOverride)[]) if (l[k] === undefined) delete l[k];
    if (errs.length) {
      this.setMessages(errs);
      return;
    }
    this.spec.links = this.spec.links.filter((x) => !(x.a === a && x.b === b));
    if (Object.keys(l).length > 2) this.spec.links.push(l);
    this.changed();
  }

  private addAction(): void {
    const t = Number(this.ui.t.value);
    if (this.ui.t.value.trim() === "" || !Number.isFinite(t) || t < 0 || t > LIMITS.maxT) {
      this.setMessages([`the time must be from 0 to ${LIMITS.maxT} ms`]);
      return;
    }
    if (this.spec.actions.length >= LIMITS.actions) {
      this.setMessages([`at most ${LIMITS.actions} actions`]);
      return;
    }
    this.spec.actions.push({ kind: this.ui.kind.value as ActionKind, node: this.ui.node.value, t: Math.round(t * 10) / 10 });
    this.spec.actions.sort((x, y) => x.t - y.t);
    this.changed();
  }

  private changed(): void {
    this.setMessages([]);
    this.render();
    this.onChange();
  }

  private render(): void {
    this.ui.links.innerHTML = this.spec.links
      .map((l, i) => {
        const parts = [l.latency !== undefined && `latency ${l.latency} ms`, l.jitter !== undefined && `jitter ${l.jitter} ms`, l.loss !== undefined && `loss ${l.loss} %`, l.bandwidth !== undefined && `${l.bandwidth / 1000} kB/s`].filter(Boolean);
        return `<li data-link="${esc(`${l.a}-${l.b}`)}">${esc(`${l.a} ↔ ${l.b}: ${parts.join(", ")}`)} <button type="button" class="small" data-remove="${i}" aria-label="remove link setting ${esc(`${l.a}-${l.b}`)}">✕</button></li>`;
      })
      .join("");
    this.ui.actions.innerHTML = this.spec.actions
      .map((a, i) => `<li data-action="${esc(`${a.kind}_${a.node}_${a.t}`)}" title="${esc(ACTION_HELP[a.kind])}">${a.t} ms · ${esc(LABEL[a.kind])} · ${esc(a.node)} <button type="button" class="small" data-remove="${i}" aria-label="remove action ${i + 1}">✕</button></li>`)
      .join("");
  }
}

/** The page URL for a run: scenario, seed, lab spec, comparison (and speed when not default). */
export function runUrl(base: string, o: { scenario: string; seed: number; spec: LabSpec; compare?: string; speed?: string }): string {
  const q: string[] = [`scenario=${encodeURIComponent(o.scenario)}`, `seed=${o.seed}`];
  if (o.spec.links.length) q.push(`link=${encodeLinks(o.spec.links)}`);
  if (o.spec.actions.length) q.push(`act=${encodeActions(o.spec.actions)}`);
  if (o.compare) q.push(`compare=${encodeURIComponent(o.compare)}`);
  if (o.speed && o.speed !== "25") q.push(`speed=${encodeURIComponent(o.speed)}`);
  return `${base}?${q.join("&")}`;
}
