// Checks of numeric settings given by a user (options of hosts, agents, policies): a NaN or an
// Infinity there fails silently (`now >= NaN` is never true: a timer that never fires, a bound
// that bounds nothing), so it is refused when the object is made, with the field's name.

/** `v` (default `def` when undefined) if it is an integer from `least` to `most`; else a RangeError
 *  "`name`: v: want an integer from least to most". */
export function intSetting(name: string, v: number | undefined, def: number, least: number, most: number): number {
  if (v === undefined) return def;
  if (!Number.isInteger(v) || v < least || v > most) throw new RangeError(`${name}: ${String(v)}: want an integer from ${least} to ${most}`);
  return v;
}

/** How a count or rate setting is checked ({@link numberProblem}). */
export interface NumberRule {
  /** May be fractional (a rate). */
  fractional?: boolean;
  /** May be 0 (where 0 means "never" / "off" / "none"). */
  zeroOk?: boolean;
  /** Ceiling (default Number.MAX_SAFE_INTEGER). */
  most?: number;
}

/** Why `v` is not a valid setting under `r`, or undefined: a finite number, an integer unless
 *  fractional, at least 1 (0 when zeroOk; above 0 when fractional), at most the ceiling. */
export function numberProblem(v: unknown, r: NumberRule = {}): string | undefined {
  if (typeof v !== "number" || !Number.isFinite(v)) return `${String(v)}: want a finite number`;
  if (!r.fractional && !Number.isInteger(v)) return `${v}: want an integer`;
  if (v < 0 || (v === 0 && !r.zeroOk)) return `${v}: want at least ${r.zeroOk ? 0 : r.fractional ? "a positive number" : 1}`;
  const most = r.most ?? Number.MAX_SAFE_INTEGER;
  return v > most ? `${v}: want at most ${most}` : undefined;
}

const isPlain = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && Object.getPrototypeOf(x) === Object.prototype;

/**
 * `given` over `defaults` (one level of nested plain objects, e.g. a rate's { ratePerSec, burst }),
 * each given value checked by `problem(name, value, default)` ("field" or "field.sub"). A field
 * given as undefined keeps its default (a spread would replace it); an unknown field, or a
 * problem, is a RangeError "`prefix`.name: …". The defaults are copied, never shared.
 */
export function overDefaults<T extends object>(prefix: string, defaults: T, given: object | undefined, problem: (name: string, value: unknown, def: unknown) => string | undefined): T {
  const d = defaults as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(d)) out[k] = isPlain(v) ? { ...v } : v;
  const take = (name: string, value: unknown, def: unknown, known: Record<string, unknown>, key: string, into: Record<string, unknown>): void => {
    if (value === undefined) return;
    if (!Object.hasOwn(known, key)) throw new RangeError(`${prefix}.${name}: unknown (want one of ${Object.keys(known).join(", ")})`);
    const why = problem(name, value, def);
    if (why) throw new RangeError(`${prefix}.${name}: ${why}`);
    into[key] = value;
  };
  for (const [k, v] of Object.entries(given ?? {})) {
    const def = d[k];
    if (!isPlain(def) || v === undefined) {
      take(k, v, def, d, k, out);
      continue;
    }
    if (!isPlain(v)) throw new RangeError(`${prefix}.${k}: want an object with ${Object.keys(def).join(", ")}`);
    for (const [s, x] of Object.entries(v)) take(`${k}.${s}`, x, def[s], def, s, out[k] as Record<string, unknown>);
  }
  return out as T;
}
