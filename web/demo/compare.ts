// Side-by-side comparison of two runs (e.g. handover vs handover-fast): the lab summaries in one
// table (differences highlighted) and both sequence diagrams at the same time cursor.
import type { Source } from "./sources.ts";
import { renderLanes, renderSequence } from "./sequence.ts";
import { esc } from "./svg.ts";

const KEYS = ["delivered", "lost", "lost_from_mover", "handover_ms", "handover_ms_to_mover", "handover_ms_from_mover", "ac_probes_to_unverified", "bytes_to_unverified", "data_to_unverified", "data_on_credit", "data_to_victim", "rejected", "rea_sent", "ac_sent", "acr_sent"];

function values(src: Source): Record<string, unknown> {
  return (src.summary as Record<string, unknown> | undefined) ?? src.facts;
}

export function compareTableHtml(a: { title: string; src: Source }, b: { title: string; src: Source }): string {
  const va = values(a.src);
  const vb = values(b.src);
  const keys = src2keys(va, vb);
  const rows = keys
    .map((k) => {
      const x = String(va[k] ?? "—");
      const y = String(vb[k] ?? "—");
      return `<tr data-key="${esc(k)}"${x !== y ? ' class="diff"' : ""}><th>${esc(k.replace(/_/g, " "))}</th><td data-side="a">${esc(x)}</td><td data-side="b">${esc(y)}</td></tr>`;
    })
    .join("");
  return `<table class="compare-table"><tr><th></th><th>${esc(a.title)}</th><th>${esc(b.title)}</th></tr>${rows}</table>`;
}

function src2keys(va: Record<string, unknown>, vb: Record<string, unknown>): string[] {
  const lab = KEYS.filter((k) => k in va || k in vb);
  return lab.length ? lab : [...new Set([...Object.keys(va), ...Object.keys(vb)])];
}

/** Lay out the comparison once per pair of runs; `draw` then redraws both diagrams at `t`. */
export function compareSkeleton(root: HTMLElement, a: { title: string; src: Source }, b: { title: string; src: Source }): void {
  const col = (side: string, x: { title: string }) =>
    `<div class="compare-col" data-side="${side}"><h3>${esc(x.title)}</h3><svg class="lanes" viewBox="0 0 560 30" aria-hidden="true"></svg><div class="compare-seq"><svg class="seq" viewBox="0 0 560 60" role="img" aria-label="Sequence diagram of ${esc(x.title)}"></svg></div></div>`;
  root.innerHTML = `<div class="compare-summary">${compareTableHtml(a, b)}</div>${col("a", a)}${col("b", b)}`;
  for (const [side, x] of [["a", a], ["b", b]] as const) renderLanes(root.querySelector(`[data-side="${side}"] svg.lanes`) as SVGSVGElement, x.src.log);
}

export function drawCompare(root: HTMLElement, a: Source, b: Source, t: number): void {
  for (const [side, src] of [["a", a], ["b", b]] as const) {
    const svg = root.querySelector(`.compare-col[data-side="${side}"] svg.seq`) as SVGSVGElement | null;
    if (svg) renderSequence(svg, src.log, Math.min(t, src.end), undefined);
  }
}

/** The compare panel: a scenario picker; the other run uses the same seed (and lab spec, if any). */
export class CompareView {
  other: { id: string; title: string; src: Source } | undefined;
  private main: { title: string; src: Source } | undefined;
  private ticket = 0;

  constructor(
    private readonly select: HTMLSelectElement,
    private readonly body: HTMLElement,
    options: { id: string; title: string }[],
    private readonly build: (id: string) => Promise<Source>,
    onChange: () => void,
  ) {
    for (const o of options) select.add(new Option(o.title, o.id));
    select.addEventListener("change", () => void this.refresh().then(onChange));
  }

  /** The main run changed (or the picker): rebuild the other run and the layout. */
  async setMain(title: string, src: Source): Promise<void> {
    this.main = { title, src };
    await this.refresh();
  }

  private async refresh(): Promise<void> {
    const id = this.select.value;
    const ticket = ++this.ticket;
    if (!id || !this.main) {
      this.other = undefined;
      this.body.innerHTML = `<p class="dim">Pick a second scenario to see both runs side by side (same seed; lab changes apply to both when both are lab scenarios).</p>`;
      return;
    }
    this.body.innerHTML = `<p class="dim">simulating…</p>`;
    const src = await this.build(id);
    if (ticket !== this.ticket || !this.main) return;
    this.other = { id, title: this.select.selectedOptions[0]?.textContent ?? id, src };
    compareSkeleton(this.body, this.main, this.other);
    this.body.dataset.ready = id;
  }

  draw(t: number): void {
    if (this.other && this.main) drawCompare(this.body, this.main.src, this.other.src, t);
  }
}
