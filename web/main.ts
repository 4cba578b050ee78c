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
import { decodeActions, decodeLinks, emptySpec, type LabSpec } from "../src/lab/spec.ts";
import { wireDownloads } from "./demo/capture.ts";
import { exercisesHtml, wireExercises } from "./demo/exercises.ts";
import { CompareView } from "./demo/compare.ts";
import { LabPanel, runUrl } from "./demo/lab-panel.ts";
import { stateHtml } from "./demo/state-view.ts";
import { parseParams, parseSeed } from "./demo/params.ts";
import { LivePanel } from "./live/panel.ts";

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
  /** The lab spec the run was simulated with, as in the URL. */
  link?: string;
  act?: string;
  /** Problems with URL parameters or lab entries, as shown on the page. */
  messages?: string[];
  specErrors?: string[];
  /** Shareable URL of this exact run. */
  url?: string;
  /** "sim" or "live" (web/live: a real host in a Worker). */
  mode?: string;
  live?: { state: string; attached?: string; replies: number; error?: string; flights: number };
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
let live: LivePanel | undefined;

function publish(): void {
  if (player && player.t >= player.src.end && fp?.player !== player) fp = { player, value: wireFingerprint(player.src.trace) };
  const fingerprint = fp?.player === player ? fp?.value : undefined;
  const lv = live ? { state: live.state, attached: live.attached && `${live.attached.fa}:${live.attached.kind}`, replies: live.replies.length, error: live.error, flights: live.player?.src.log.flights.length ?? 0 } : undefined;
  window.hipmmDemo = { ...state, player: player?.state, t: player?.t, fingerprint, mode: live?.active ? "live" : "sim", live: lv };
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
const params = parseParams(location.search, (id) => findScenario(id) !== undefined, CATALOG[0].id);
const urlQuery = new URLSearchParams(location.search);
const urlMsgs = [...params.messages];
const labSpec: LabSpec = emptySpec();
labSpec.links = decodeLinks(urlQuery.get("link") ?? "", urlMsgs);
labSpec.actions = decodeActions(urlQuery.get("act") ?? "", urlMsgs);
const modeSel = $<HTMLSelectElement>("mode");
const modeParam = urlQuery.get("mode");
if (modeParam !== null && modeParam !== "sim" && modeParam !== "live") urlMsgs.push(`mode=${modeParam} is not sim or live: using sim`);
modeSel.value = modeParam === "live" ? "live" : "sim";
ui.scenario.value = params.scenario;
ui.seed.value = String(params.seed ?? findScenario(params.scenario)?.seed ?? 1);
setSpeed(params.speed);
showUrlMessages(urlMsgs);
const lab = new LabPanel(() => void reset());
lab.spec = labSpec;
const compareSel = $<HTMLSelectElement>("compare");
const compare = new CompareView(
  compareSel,
  $("compare-body"),
  CATALOG.map((c) => ({ id: c.id, title: c.title })),
  async (id) => {
    const info = findScenario(id) ?? CATALOG[0];
    return await info.build(state.seed ?? 1, info.lab ? lab.spec : undefined);
  },
  () => {
    syncUrl();
    if (player) draw(player);
  },
);
if (params.compare) compareSel.value = params.compare;
wireExercises($("exercises"), () => player?.src);
// The full run is known for lab scenarios; a live one up to the playhead's horizon.
wireDownloads(() => (player ? { name: `hipmm-${state.scenario}-seed${state.seed}`, trace: player.src.trace, keys: player.src.keys } : undefined));

/** Select `speed` in the speed list, adding an entry for a valid value that is not listed. */
function setSpeed(v: number): void {
  const val = Number.isFinite(v) ? String(v) : "Infinity";
  if (![...ui.speed.options].some((o) => o.value === val)) ui.speed.add(new Option(`${val} ms/s`, val));
  ui.speed.value = val;
}

function showUrlMessages(msgs: string[]): void {
  const el = $("url-msg");
  state.messages = msgs;
  el.hidden = msgs.length === 0;
  el.innerHTML = msgs.map((m) => `<li>${m.replace(/[&<>]/g, (c) => `&#${c.charCodeAt(0)};`)}</li>`).join("");
}

/** Keep the address bar (and the share link) equal to the run on screen. */
function syncUrl(): void {
  if (live?.active) {
    history.replaceState(null, "", `${location.pathname}?mode=live`);
    state.url = location.href;
    $<HTMLAnchorElement>("share-link").href = location.href;
    return;
  }
  const url = runUrl(location.pathname, { scenario: ui.scenario.value, seed: state.seed ?? 0, spec: lab.spec, compare: compareSel.value || undefined, speed: ui.speed.value });
  history.replaceState(null, "", url);
  state.url = location.href;
  $<HTMLAnchorElement>("share-link").href = location.href;
}

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
    // A focused arrow keeps the focus across the redraw (keyboard users, live runs).
    const focused = ui.seq.contains(document.activeElement) ? document.activeElement?.getAttribute("data-flight") : null;
    renderSequence(ui.seq, p.src.log, p.t, selected);
    if (focused) (ui.seq.querySelector(`[data-flight="${focused}"]`) as SVGGElement | null)?.focus();
    if (follow) ui.timeline.scrollTop = ui.timeline.scrollHeight;
    ui.caption.innerHTML = captionHtml(p.src.log, p.t);
    ui.counters.innerHTML = countersHtml(countAt(p.src, p.t), p.src);
    $("state-table").innerHTML = stateHtml(p.src, p.t);
    compare.draw(p.t);
  }
  ui.player.dataset.state = p.state;
  ui.player.textContent = p.state;
  if (p.t >= p.src.end && !live?.active && !ui.resultBody.hasChildNodes()) ui.resultBody.innerHTML = resultHtml(p.src);
  ui.result.hidden = !ui.resultBody.hasChildNodes();
  ui.run.disabled = p.state === "running" || p.state === "done";
  ui.pause.disabled = p.state !== "running";
  ui.step.disabled = p.state === "running" || p.state === "done";
  publish();
}

/** Build the selected scenario from scratch (same seed → same run). */
async function reset(): Promise<void> {
  if (live?.active) return;
  player?.stop();
  player = undefined;
  const info = findScenario(ui.scenario.value) ?? CATALOG[0];
  const parsed = parseSeed(ui.seed.value);
  const seed = typeof parsed === "number" ? parsed : (info.seed ?? 1);
  if (typeof parsed !== "number") {
    showUrlMessages([`${parsed}: using seed ${seed}`]);
    ui.seed.value = String(seed);
  }
  const ticket = ++building;
  state.scenario = info.id;
  roles = info.roles ?? {};
  state.seed = seed;
  selected = undefined;
  $("explain-heading").textContent = info.title;
  $("explain-text").innerHTML = info.text;
  $("explain-cites").textContent = info.cites;
  $("explain-origin").innerHTML = info.origin;
  $("exercises").innerHTML = exercisesHtml(info.id);
  ui.dissection.innerHTML = `<p class="dim">Click a packet in the network or an arrow in the sequence diagram.</p>`;
  ui.resultBody.replaceChildren();
  ui.player.dataset.state = "building";
  ui.player.textContent = "preparing…";
  for (const b of [ui.run, ui.pause, ui.step]) b.disabled = true;
  await new Promise((r) => setTimeout(r, 0)); // let "preparing…" paint before a lab run
  const src = await info.build(seed, info.lab ? lab.spec : undefined);
  if (ticket !== building) return;
  const labNodes = src.log.nodes.filter((n) => /^(A|B|FA\d)$/.test(n));
  lab.setScenario(info.lab !== undefined, labNodes.length ? labNodes : ["A", "B"]);
  lab.setMessages(src.specErrors ?? []);
  state.specErrors = src.specErrors ?? [];
  syncUrl();
  state.link = info.lab ? urlPart("link") : "";
  state.act = info.lab ? urlPart("act") : "";
  state.link = info.lab ? urlPart("link") : "";
  state.act = info.lab ? urlPart("act") : "";
  await compare.setMain(info.title, src);
  if (ticket !== building) return;
  player = new Player(src, draw);
  applySpeed();
  renderLanes(ui.lanes, src.log);
  ui.timeline.scrollTop = 0;
  draw(player);
}

function urlPart(k: string): string {
  return new URLSearchParams(location.search).get(k) ?? "";
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
  ui.dissection.innerHTML = dissectionHtml(f, player.src.espNote, player.src.keys);
  ui.dissection.dataset.flight = String(id);
  if (player.state !== "running") draw(player);
}

// Keyboard: Enter or space on a focused arrow dissects it (and keeps the focus on it).
ui.seq.addEventListener("keydown", (e) => {
  const g = (e.target as Element).closest("[data-flight]");
  if (!g || (e.key !== "Enter" && e.key !== " ")) return;
  e.preventDefault();
  e.stopPropagation();
  const id = g.getAttribute("data-flight");
  select(Number(id));
  (ui.seq.querySelector(`[data-flight="${id}"]`) as SVGGElement | null)?.focus();
});
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
ui.speed.addEventListener("change", () => {
  applySpeed();
  syncUrl();
});
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

// Live mode (web/live): a real HIP host in a Worker; the same views draw its packets.
live = new LivePanel({
  adopt: (p) => {
    player?.stop();
    player = p;
    selected = undefined;
    ui.resultBody.replaceChildren();
    renderLanes(ui.lanes, p.src.log);
    draw(p);
  },
  draw: (p) => {
    if (p === player) draw(p);
  },
  lanes: (src) => renderLanes(ui.lanes, src.log),
});
async function setMode(mode: string): Promise<void> {
  const on = mode === "live";
  document.body.dataset.mode = on ? "live" : "sim";
  for (const el of [ui.scenario, ui.seed, ui.speed, ui.skip, ui.reset, compareSel]) el.disabled = on;
  if (on) {
    player?.stop();
    player = undefined;
    $("explain-heading").textContent = "Live host";
    $("explain-text").textContent = "A real HIP host in this page (a Web Worker) talks to a UDP host through a Forwarding Agent. Connect, send, then move it and watch the REA, the lease and the SAs change.";
    $("explain-cites").textContent = "RFC 7401 §4.1 · RFC 7402 · draft-nikander-hip-mm-00 §4.2, §4.4, §5.1 · docs/PROTOCOL.md §11";
    $("explain-origin").textContent = "";
    $("exercises").innerHTML = `<p class="dim">The exercises are about the simulated scenarios.</p>`;
    ui.seq.replaceChildren();
    ui.net.replaceChildren();
  }
  await live?.show(on);
  syncUrl();
  if (!on) await reset();
  publish();
}
modeSel.addEventListener("change", () => void setMode(modeSel.value));

loadWasm().then(
  async (wasm) => {
    const abi = wasm.abiVersion();
    state.abiVersion = abi;
    setStatus("loaded", `WASM module loaded · ABI v${abi}`);
    ui.reset.disabled = false;
    try {
      if (modeSel.value === "live") {
        await setMode("live");
        return;
      }
      await reset();
      if (params.at !== undefined && player) {
        if (params.at > player.src.end) showUrlMessages([...(state.messages ?? []), `at ${params.at} ms is after the run's end (${player.src.end.toFixed(0)} ms): showing the end`]);
        player.seekTo(params.at);
      }
      if (params.run) player?.run();
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
