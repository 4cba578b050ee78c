// One plain object with every counter of a host stack, by layer: HIP core, UPDATE rekeying,
// mobility (summed over live sessions), the stack's ESP / demux counters, the FA client and the
// Worker data plane. `drops` repeats every drop / rejection counter as "<layer>.<reason>" so a
// reader finds all of them in one place. Counter objects are copied generically: counters added
// to any layer later appear without changes here.
import type { HostStack } from "./stack.ts";

/** Counters by name, nested by layer. */
export type CounterTree = { [name: string]: number | CounterTree };

/** Every counter of a host stack, by layer (`host.stats()`). */
export interface HostStats {
  /** HIP core counters (rx / tx by packet type, drops by reason). */
  hip: CounterTree;
  /** UPDATE rekeying counters. */
  update: CounterTree;
  /** Mobility counters (summed over sessions). */
  mobility: CounterTree;
  /** The stack's ESP and demux counters. */
  esp: CounterTree;
  /** FA lease client counters. */
  fa?: CounterTree;
  /** Worker data plane counters. */
  worker?: CounterTree;
  /** The sockets: how many, and datagrams they did not carry (`drop.EMSGSIZE`, `drop.unroutable`…). */
  transport?: CounterTree;
  /** Datagrams sent while a peer had no path (runtime/send-queue.ts): held, sent later, dropped (`drop.queue-full`, `drop.no-path-timeout`). */
  held?: CounterTree;
  /** Every drop counter that is not zero, by reason: "hip.malformed", "esp.unknown-spi", "mobility.bad-hmac"… */
  drops: Record<string, number>;
}

/** Deep copy of the numeric leaves of `o` (anything else is skipped). */
export function counterTree(o: unknown): CounterTree {
  const out: CounterTree = {};
  if (!o || typeof o !== "object") return out;
  for (const [k, v] of Object.entries(o)) {
    if (typeof v === "number" || typeof v === "bigint") out[k] = Number(v);
    else if (v && typeof v === "object" && !ArrayBuffer.isView(v) && !Array.isArray(v)) {
      const t = counterTree(v);
      if (Object.keys(t).length) out[k] = t;
    }
  }
  return out;
}

/** a += b, leaf by leaf. */
export function addTree(a: CounterTree, b: CounterTree): CounterTree {
  for (const [k, v] of Object.entries(b)) {
    const cur = a[k];
    if (typeof v === "number") a[k] = (typeof cur === "number" ? cur : 0) + v;
    else a[k] = addTree(typeof cur === "object" ? cur : {}, v);
  }
  return a;
}

const DROP = /(^|[.-])(drop|drops|rejected|malformed)([.-]|$)/;

/** Every non-zero leaf whose path names a drop ("drop.x", "esp.drop.x", "rejected.x", "drops.x", "rx.malformed"). */
export function dropsOf(layer: string, t: CounterTree, into: Record<string, number> = {}, path = ""): Record<string, number> {
  for (const [k, v] of Object.entries(t)) {
    const p = path ? `${path}.${k}` : k;
    if (typeof v === "object") dropsOf(layer, v, into, p);
    else if (v !== 0 && DROP.test(p) && p !== "drop" && p !== "drops") {
      const reason = p.replace(/^(.*\.)?(drop|drops|rejected)\./, "");
      const key = `${layer}.${reason}`;
      into[key] = (into[key] ?? 0) + v;
    }
  }
  return into;
}

/** Stats of a HostStack (+ an optional Worker runner's stats and the driver's sockets' stats). */
export function hostStats(stack: HostStack, worker?: object, transport?: object, held?: object): HostStats {
  const mobility: CounterTree = {};
  const sessions = stack.mobility?.sessions() ?? [];
  for (const s of sessions) addTree(mobility, counterTree(s.session.counters));
  if (stack.mobility) {
    mobility.sessions = sessions.length;
    const own = (stack.mobility as unknown as { counters?: unknown }).counters;
    if (own) addTree(mobility, counterTree(own));
  }
  const fa = stack.fa as unknown as { counters?: unknown; lease?: unknown } | undefined;
  const out: HostStats = {
    hip: { ...counterTree(stack.host.counters), crypto: { jobs: stack.host.crypto.queuedTotal, inline: { ...stack.host.crypto.inline } } },
    update: counterTree(stack.update.counters),
    mobility,
    esp: counterTree(stack.counters),
    drops: {},
  };
  if (fa) out.fa = { ...counterTree(fa.counters), leased: fa.lease ? 1 : 0 };
  if (worker) out.worker = counterTree(worker);
  if (transport) out.transport = counterTree(transport);
  if (held) out.held = counterTree(held);
  for (const layer of ["hip", "update", "mobility", "esp", "fa", "worker", "transport", "held"] as const) {
    const t = out[layer];
    if (t) dropsOf(layer, t, out.drops);
  }
  return out;
}
