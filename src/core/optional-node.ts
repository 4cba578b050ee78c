// Optional npm packages (better-sqlite3, ws, ioredis): peer dependencies marked optional in
// package.json, loaded only when the feature that needs them is used, so `npm install hipmm`
// in a browser or Deno app compiles and downloads nothing it never runs. A missing package
// is an error naming it and the feature, not a stack trace from the module loader.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** The error for a missing optional package. */
export function missingOptional(name: string, feature: string, cause?: unknown): Error {
  return new Error(`${feature} needs the optional package "${name}", which is not installed: npm install ${name}`, { cause });
}

function isMissing(e: unknown, name: string): boolean {
  const code = (e as { code?: string }).code;
  return (code === "MODULE_NOT_FOUND" || code === "ERR_MODULE_NOT_FOUND") && String((e as Error).message).includes(name);
}

/** Synchronous load (CommonJS packages: better-sqlite3) for constructors that cannot await. */
export function requireOptional<T>(name: string, feature: string): T {
  try {
    return require(name) as T;
  } catch (e) {
    throw isMissing(e, name) ? missingOptional(name, feature, e) : e;
  }
}

/** Asynchronous load (dynamic import). */
export async function importOptional<T>(name: string, feature: string): Promise<T> {
  try {
    return (await import(/* @vite-ignore */ name)) as T;
  } catch (e) {
    throw isMissing(e, name) ? missingOptional(name, feature, e) : e;
  }
}
