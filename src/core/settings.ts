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
