// Moved to the sans-I/O core (src/fa/core/store.ts, lease-index.ts); kept so existing imports work.
export type { LeaseStore, LeaseWatcher } from "../core/store.ts";
export type { LeaseIndex } from "../core/lease-index.ts";
