// hipmm demo page: loads the WASM module, lets the user pick a scenario (our live base-exchange
// scripts or a src/lab scenario), plays it in virtual time and draws the network, a sequence
// diagram, counters and packet dissections. URL: ?scenario=handover&seed=1&speed=100&at=1005&run=1
import { loadWasm } from "../src/wasm/loader.ts";
import { captionHtml } from "./demo/caption.ts";
import { CATALOG, findScenario } from "./demo/catalog.ts";
import { countAt, countersHtml, resultHtml } from "./demo/counters.ts";
import { dissectionHtml } from "./demo/inspect.ts";
import { renderNetwork } from "./demo/network.ts";
import { wireFingerprint } from "./demo/sources.ts";
import { Player } from "./demo/player.ts";
import { renderLanes, renderSequence } from "./demo/sequence.ts";

type DemoState = {
  status: "pending" | "loaded" | "error";
  abiVersion?: number;
  error?: string;
  scenario?: string;
  seed?: number;
  player?: string;
  t?: number;
  /** wireFingerprint of the run, once it is over (determinism checks against Node). */
  fingerprint?: string;
};

declare global {
  interface Window {
    hipmmDemo?: DemoState;
  }
}

const $ = <T extends Element = HTMLElement>(id: string) => document.getElementById(id) as unknown as T;
const statusEl = $("status");
const ui = {
  scenario: $<HTMLSelectElement>("scenario"),
  seed: $<HTMLInputElement>("seed"),
  speed: $<HTMLSelectElement>("speed"),
  skip: $<HTMLInputElement>("skip-idle"),
  run: $<HTMLButtonElement>("btn-run"),
  pause: $<HTMLButtonElement>("btn-pause"),
  step: $<HTMLButtonElement>("btn-step"),
  reset: $<HTMLButtonElement>("btn-reset"),
  player: $("player"),
  net: $<SVGSVGElement>("net"),
  lanes: $<SVGSVGElement>("lanes"),
  seq: $<SVGSVGElement>("seq"),
  timeline: $("timeline"),
  caption: $("caption"),
  scrub: $<HTMLInputElement>("scrub"),
  scrubLabel: $("scrub-label"),
  counters: $("counters"),
  result: $("result"),
  resultBody: $("result-body"),
  dissection: $("dissection"),
};

const state: DemoState = { status: "pending" };
let player: Player | undefined;
let selected: number | undefined;
let building = 0;
let roles: Record<string, string> = {};

let fp: { player: Player; value: string } | undefined;

function publish(): void {
  if (player && player.t >= player.src.end && fp?.player !== player) fp = { player, value: wireFingerprint(player.src.trace) };
  const fingerprint = fp?.player === player ? fp?.value : undefined;
  window.hipmmDemo = { ...state, player: player?.state, t: player?.t, fingerprint };
}

function setStatus(s: DemoState["status"], text: string): void {
  state.status = s;
  statusEl.dataset.state = s;
  statusEl.className = `status ${s}`;
  statusEl.textContent = text;
  publish();
}

$("isolation").textContent = globalThis.crossOriginIsolated ? "cross-origin isolated · SharedArrayBuffer available" : "not cross-origin isolated";

for (const s of CATALOG) ui.scenario.add(new Option(s.title, s.id));
const params = new URLSearchParams(location.search);
if (params.get("scenario") && findScenario(params.get("scenario")!)) ui.scenario.value = params.get("scenario")!;
ui.seed.value = params.get("seed") ?? String(findScenario(ui.scenario.value)?.seed ?? 1);
if (params.get("speed")) ui.speed.value = params.get("speed")!;

/** While running, the sequence diagram, caption and counters redraw at most every SLOW_MS. */
const SLOW_MS = 90;
let lastSlow = 0;

function draw(p: Player): void {
  renderNetwork(ui.net, p.src.log, p.t, selected, roles);
  ui.scrub.max = String(p.src.end);
  ui.scrub.value = String(p.t);
  ui.scrubLabel.textContent = `${p.t.toFixed(1)} / ${p.src.end.toFixed(0)} ms`;
  const now = performance.now();
  if (p.state !== "running" || now - lastSlow >= SLOW_MS) {
    lastSlow = now;
    const follow = ui.timeline.scrollTop + ui.timeline.clientHeight >= ui.timeline.scrollHeight - 40;
    renderSequence(ui.seq, p.src.log, p.t, selected);
    if (follow) ui.timeline.scrollTop = ui.timeline.scrollHeight;
    ui.caption.innerHTML = captionHtml(p.src.log, p.t);
    ui.counters.innerHTML = countersHtml(countAt(p.src, p.t), p.src);
  }
  ui.player.dataset.state = p.state;
  ui.player.textContent = p.state;
  if (p.t >= p.src.end && !ui.resultBody.hasChildNodes()) ui.resultBody.innerHTML = resultHtml(p.src);
  ui.result.hidden = !ui.resultBody.hasChildNodes();
  ui.run.disabled = p.state === "running" || p.state === "done";
  ui.pause.disabled = p.state !== "running";
  ui.step.disabled = p.state === "running" || p.state === "done";
  publish();
}

/** Build the selected scenario from scratch (same seed → same run). */
async function reset(): Promise<void> {
  player?.stop();
  player = undefined;
  const info = findScenario(ui.scenario.value) ?? CATALOG[0];
  const seed = Math.trunc(Number(ui.seed.value)) || 0;
  const ticket = ++building;
  state.scenario = info.id;
  roles = info.roles ?? {};
  state.seed = seed;
  selected = undefined;
  $("explain-heading").textContent = info.title;
  $("explain-text").innerHTML = info.text;
  $("explain-cites").textContent = info.cites;
  $("explain-origin").innerHTML = info.origin;
  ui.dissection.innerHTML = `<p class="dim">Click a packet in the network or an arrow in the sequence diagram.</p>`;
  ui.resultBody.replaceChildren();
  ui.player.dataset.state = "building";
  ui.player.textContent = "preparing…";
  for (const b of [ui.run, ui.pause, ui.step]) b.disabled = true;
  await new Promise((r) => setTimeout(r, 0)); // let "preparing…" paint before a lab run
  const src = await info.build(seed);
  if (ticket !== building) return;
  player = new Player(src, draw);
  applySpeed();
  renderLanes(ui.lanes, src.log);
  ui.timeline.scrollTop = 0;
  draw(player);
}

function applySpeed(): void {
  if (!player) return;
  player.speed = Number(ui.speed.value);
  player.skipIdle = ui.skip.checked;
}

function select(id: number): void {
  const f = player?.src.log.flights[id];
  if (!f || !player) return;
  selected = id;
  ui.dissection.innerHTML = dissectionHtml(f, player.src.espNote);
  ui.dissection.dataset.flight = String(id);
  if (player.state !== "running") draw(player);
}

// pointerdown, not click: the scene is redrawn every frame while running.
for (const el of [ui.net, ui.seq]) {
  el.addEventListener("pointerdown", (e) => {
    const g = (e.target as Element).closest("[data-flight]");
    if (g) select(Number(g.getAttribute("data-flight")));
  });
}

ui.run.addEventListener("click", () => player?.run());
ui.pause.addEventListener("click", () => player?.pause());
ui.step.addEventListener("click", () => player?.step());
ui.reset.addEventListener("click", () => void reset());
ui.scenario.addEventListener("change", () => {
  const seed = findScenario(ui.scenario.value)?.seed;
  ui.seed.value = String(seed ?? 1);
  void reset();
});
ui.seed.addEventListener("change", () => void reset());
ui.speed.addEventListener("change", applySpeed);
ui.scrub.addEventListener("input", () => player?.seekTo(Number(ui.scrub.value)));
document.addEventListener("keydown", (e) => {
  const tag = (e.target as HTMLElement).tagName;
  if (!player || e.ctrlKey || e.metaKey || e.altKey || tag === "INPUT" || tag === "SELECT") return;
  if (e.key === " ") {
    if (tag === "BUTTON") return; // the focused button handles its own space
    e.preventDefault();
    if (player.state === "running") player.pause();
    else player.run();
  } else if (e.key === "ArrowRight") player.step();
  else if (e.key === "r") void reset();
});
ui.skip.addEventListener("change", applySpeed);

loadWasm().then(
  async (wasm) => {
    const abi = wasm.abiVersion();
    state.abiVersion = abi;
    setStatus("loaded", `WASM module loaded · ABI v${abi}`);
    ui.reset.disabled = false;
    try {
      await reset();
      if (params.get("at")) player?.seekTo(Number(params.get("at")));
      if (params.get("run") === "1") player?.run();
    } catch (err) {
      ui.player.dataset.state = "error";
      ui.player.textContent = `error: ${err instanceof Error ? err.message : String(err)}`;
      console.error(err);
    }
  },
  (err: unknown) => {
    const msg = err instanceof Error ? err.message : String(err);
    state.error = msg;
    setStatus("error", `WASM module failed to load: ${msg}`);
  },
);
