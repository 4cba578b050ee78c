// URL parameters of the demo page, validated: every bad value gets a visible message and a sane
// fallback (never a silent hang). Pure (no DOM), so Node tests can call it too.
// ?scenario=handover&seed=1&speed=100&at=1005&run=1  (+ lab: &link=…&act=…, see lab-spec.ts)

export interface PageParams {
  scenario: string;
  /** undefined: the scenario's suggested seed. */
  seed: number | undefined;
  /** Virtual ms per real second; Infinity = instant. */
  speed: number;
  at: number | undefined;
  run: boolean;
  compare: string | undefined;
  /** Human-readable problems found (each names the parameter and the fallback used). */
  messages: string[];
}

export const DEFAULT_SPEED = 25;
export const MAX_SPEED = 1_000_000;
export const MAX_SEED = 0xffffffff;
const KNOWN = new Set(["scenario", "seed", "speed", "at", "run", "link", "act", "compare", "mode"]);

/** A seed: an integer 0 … 2^32−1; otherwise an error message. */
export function parseSeed(s: string): number | string {
  const t = s.trim();
  if (!/^\d{1,10}$/.test(t) || Number(t) > MAX_SEED) return `seed “${clip(s)}” is not an integer from 0 to ${MAX_SEED}`;
  return Number(t);
}

/** A speed: a positive number of virtual ms per real second (≤ MAX_SPEED), or Infinity/instant. */
export function parseSpeed(s: string): number | string {
  const t = s.trim().toLowerCase();
  if (t === "infinity" || t === "instant" || t === "inf") return Number.POSITIVE_INFINITY;
  const n = Number(t);
  if (t === "" || !Number.isFinite(n) || n <= 0 || n > MAX_SPEED) return `speed “${clip(s)}” is not a number of virtual ms per second in (0, ${MAX_SPEED}] or “instant”`;
  return n;
}

export function parseParams(search: string, isScenario: (id: string) => boolean, defaultScenario: string): PageParams {
  const q = new URLSearchParams(search);
  const messages: string[] = [];
  const out: PageParams = { scenario: defaultScenario, seed: undefined, speed: DEFAULT_SPEED, at: undefined, run: false, compare: undefined, messages };
  const sc = q.get("scenario");
  if (sc !== null) {
    if (isScenario(sc)) out.scenario = sc;
    else messages.push(`unknown scenario “${clip(sc)}”: showing “${defaultScenario}” instead`);
  }
  const seed = q.get("seed");
  if (seed !== null) {
    const v = parseSeed(seed);
    if (typeof v === "number") out.seed = v;
    else messages.push(`${v}: using the scenario's default seed`);
  }
  const speed = q.get("speed");
  if (speed !== null) {
    const v = parseSpeed(speed);
    if (typeof v === "number") out.speed = v;
    else messages.push(`${v}: using ${DEFAULT_SPEED} ms/s`);
  }
  const at = q.get("at");
  if (at !== null) {
    const n = Number(at);
    if (at.trim() !== "" && Number.isFinite(n) && n >= 0) out.at = n;
    else messages.push(`at “${clip(at)}” is not a virtual time ≥ 0 in ms: starting at 0`);
  }
  const run = q.get("run");
  if (run !== null) {
    if (run === "1" || run === "true") out.run = true;
    else if (run !== "0" && run !== "false") messages.push(`run “${clip(run)}” is not 1 or 0: not starting`);
  }
  const cmp = q.get("compare");
  if (cmp !== null && cmp !== "") {
    if (isScenario(cmp)) out.compare = cmp;
    else messages.push(`unknown scenario “${clip(cmp)}” to compare with: comparison off`);
  }
  for (const k of q.keys()) if (!KNOWN.has(k)) messages.push(`unknown URL parameter “${clip(k)}” ignored`);
  return out;
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 39)}…` : s;
}
