// Moved to the sans-I/O core (src/fa/core/lease.ts); kept so existing imports work.
export * from "../core/lease.ts";
