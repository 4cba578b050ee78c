// CLI errors: every failure of a hipmm subcommand ends as ONE stderr line naming the option or
// file ("hipmm host: --id a.key: no such file") and exit 1 (runtime) or 2 (usage). Stacks are
// printed only with `--debug` or HIPMM_DEBUG=1.

/** A failure the user can act on; `exitCode` 1 = runtime failure. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** Bad command line: exit 2. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 2);
    this.name = "UsageError";
  }
}

const ERRNO: Record<string, string> = {
  ENOENT: "no such file",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EISDIR: "is a directory",
  ENOTDIR: "a path component is not a directory",
  EEXIST: "already exists",
  EROFS: "read-only file system",
  ENOSPC: "no space left on device",
  EMFILE: "too many open files",
  ELOOP: "too many symbolic links",
  ENAMETOOLONG: "name too long",
  EADDRINUSE: "address in use",
  EADDRNOTAVAIL: "address not available on this host",
  EAFNOSUPPORT: "address family not supported",
  ENOTFOUND: "not an IP address",
  EINVAL: "invalid argument",
};

function errnoCode(e: unknown): string | undefined {
  const c = (e as { code?: unknown } | null)?.code;
  return typeof c === "string" ? c : undefined;
}

/** Short human reason for a system error ("no such file"), else the error's first line. */
export function reason(e: unknown): string {
  const code = errnoCode(e);
  if (code && Object.hasOwn(ERRNO, code)) return ERRNO[code];
  return firstLine(e);
}

/** The error's message, first line only, without Node's "CODE: …, open 'x'" noise. */
export function firstLine(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return (m.split("\n")[0] || (e instanceof Error ? e.name : "error")).trim();
}

/**
 * A file option failed: `--pcap out/x.pcap: no such directory`. For files being created, ENOENT
 * means the directory is missing.
 */
export function fileError(option: string, path: string, e: unknown, creating = false): CliError {
  if (e instanceof CliError) return e;
  const code = errnoCode(e);
  const why = creating && code === "ENOENT" ? "no such directory" : reason(e);
  return new CliError(`${option} ${path}: ${why}`);
}

/** Run `fn`; a thrown system error becomes fileError(option, path). */
export function withFile<T>(option: string, path: string, fn: () => T, creating = false): T {
  try {
    return fn();
  } catch (e) {
    throw fileError(option, path, e, creating);
  }
}

export async function withFileAsync<T>(option: string, path: string, fn: () => Promise<T>, creating = false): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw fileError(option, path, e, creating);
  }
}

/** `--debug` on the command line or HIPMM_DEBUG=1 in the environment. */
export const debug = { on: process.env.HIPMM_DEBUG === "1" };

/**
 * Set by a command while it runs: turns a system error it knows the origin of (a bind error of
 * one of its listen options, even one raised as an uncaught 'error' event) into a CliError.
 */
export const errorContext: { describe?: (e: unknown) => CliError | undefined } = {};

/**
 * A bind/listen error (EADDRINUSE…, with `address` and `port`) of one of `candidates` ([option,
 * locator]) → `--listen 127.0.0.1:5000: address in use`.
 */
export function bindError(e: unknown, candidates: readonly [string, { ip: string; port: number }][]): CliError | undefined {
  const x = e as { address?: unknown; port?: unknown; code?: unknown } | null;
  if (!x || typeof x.address !== "string" || typeof x.code !== "string") return undefined;
  const hit = candidates.find(([, l]) => l.ip === x.address && (typeof x.port !== "number" || x.port === l.port));
  if (!hit) return undefined;
  const [opt, l] = hit;
  return new CliError(`${opt} ${l.ip.includes(":") ? `[${l.ip}]` : l.ip}:${l.port}: ${reason(e)}`);
}

/**
 * Print `e` as one line `hipmm <cmd>: <message>` (+ the stack when debugging) and return the exit
 * code: the CliError's, else 1.
 */
export function report(cmd: string, e: unknown, err: (line: string) => void = (l) => console.error(l)): number {
  if (!(e instanceof CliError)) {
    const known = errorContext.describe?.(e);
    if (known) {
      if (debug.on && e instanceof Error && e.stack) known.stack = `${known.message}\n${e.stack}`;
      e = known;
    }
  }
  const prefix = cmd ? `hipmm ${cmd}` : "hipmm";
  if (e instanceof CliError) {
    err(`${prefix}: ${e.message}${e instanceof UsageError ? ` (see hipmm${cmd ? ` ${cmd}` : ""} --help)` : ""}`);
    if (debug.on && e.stack) err(e.stack);
    return e.exitCode;
  }
  err(`${prefix}: ${firstLine(e)}`);
  if (debug.on && e instanceof Error && e.stack) err(e.stack);
  return 1;
}

/** Run a command body, turning any throw into one reported line and an exit code. */
export async function guarded(cmd: string, err: (line: string) => void, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    return report(cmd, e, err);
  }
}
