// Browser test helpers: build a web/ page with Vite into a temp dir, serve it on 127.0.0.1:0
// with COOP/COEP (cross-origin isolation), and drive Debian Chromium through playwright-core.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, extname, isAbsolute, join, normalize, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { build } from "vite";

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const webRoot = join(repoRoot, "web");
export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Flags for Debian Chromium in a container. No --disable-quic: WebTransport tests need QUIC. */
export const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** node:test `skip` value: a message only if chromium is genuinely missing and env CI is unset. */
export function chromiumSkip(): string | false {
  if (existsSync(chromiumPath) || process.env.CI) return false;
  return `chromium missing at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH)`;
}

export interface ChromiumOptions {
  /** Whole-session deadline (launch + fn + close); default 30 s. */
  timeoutMs?: number;
  viewport?: { width: number; height: number };
  /** Extra Chromium flags. */
  args?: string[];
}

export interface PageLog {
  /** console messages and uncaught page errors, in order, as "type: text". */
  lines: string[];
}

/**
 * Launch headless Chromium, open one page, run `fn(page, log)`, and always close the browser.
 * Errors thrown by `fn` get the page's console log appended.
 */
export async function withChromium(
  fn: (page: Page, log: PageLog, context: BrowserContext) => Promise<void>,
  opts: ChromiumOptions = {},
): Promise<void> {
  if (!existsSync(chromiumPath)) throw new Error(`chromium missing at ${chromiumPath}`);
  const timeoutMs = opts.timeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  const log: PageLog = { lines: [] };
  // launch has its own timeout, so awaiting it in `finally` is bounded and never leaks a browser.
  const launching: Promise<Browser> = chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [...chromiumArgs, ...(opts.args ?? [])],
    timeout: timeoutMs,
  });
  const session = async () => {
    const browser = await launching;
    const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1280, height: 800 } });
    context.setDefaultTimeout(Math.min(timeoutMs, 15_000));
    const page = await context.newPage();
    page.on("console", (m) => log.lines.push(`${m.type()}: ${m.text()}`));
    page.on("pageerror", (e) => log.lines.push(`pageerror: ${e.message}`));
    try {
      await fn(page, log, context);
    } catch (e) {
      if (e instanceof Error && log.lines.length > 0) e.message += `\n--- page log ---\n${log.lines.join("\n")}`;
      throw e;
    }
  };
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`withChromium: exceeded ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([session(), deadline]);
  } finally {
    clearTimeout(timer);
    const browser = await launching.catch(() => undefined);
    await browser?.close().catch(() => {});
  }
}

export interface Served {
  /** URL of the built page, e.g. http://127.0.0.1:PORT/loader-check/ */
  url: string;
  /** Base URL of the server (http://127.0.0.1:PORT/). */
  origin: string;
  /** Directory holding the build. */
  outDir: string;
  close(): Promise<void>;
}

export interface BuildOptions {
  /** Vite config file (default: repo vite.config.ts). */
  configFile?: string;
  /** Keep the temp build dir after close (debugging). */
  keep?: boolean;
}

/**
 * Build ONE page of web/ with Vite into a fresh temp dir and serve it with COOP/COEP.
 * `page` is a folder under web/ holding index.html ("loader-check"), or "" for web/index.html.
 */
export async function buildAndServe(page = "", opts: BuildOptions = {}): Promise<Served> {
  const pageDir = isAbsolute(page) ? page : join(webRoot, page);
  const input = join(pageDir, "index.html");
  if (!existsSync(input)) throw new Error(`buildAndServe: no ${input}`);
  const outDir = mkdtempSync(join(tmpdir(), "hipmm-vite-"));
  try {
    await build({
      configFile: opts.configFile ?? join(repoRoot, "vite.config.ts"),
      logLevel: "warn",
      // A string input replaces the config's multi-page input object (mergeConfig overrides).
      build: { outDir, emptyOutDir: true, rolldownOptions: { input } },
    });
    const server = await serveStatic(outDir);
    const rel = relative(webRoot, pageDir).split(sep).join("/");
    return {
      ...server,
      url: server.origin + (rel === "" ? "" : `${rel}/`),
      outDir,
      close: async () => {
        await server.close();
        if (!opts.keep) rmSync(outDir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    if (!opts.keep) rmSync(outDir, { recursive: true, force: true });
    throw e;
  }
}

const mimeTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
};

/** Tiny static file server on 127.0.0.1:0 with cross-origin isolation headers. */
export async function serveStatic(dir: string): Promise<{ origin: string; close(): Promise<void> }> {
  const server = createServer(async (req, res) => {
    const headers = {
      "Cross-Origin-Opener-Policy": "same-origin",
      "Cross-Origin-Embedder-Policy": "require-corp",
      "Cross-Origin-Resource-Policy": "same-origin",
      "Cache-Control": "no-store",
    };
    try {
      const pathname = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
      let file = normalize(join(dir, pathname));
      if (file !== dir && !file.startsWith(dir + sep)) throw new Error("outside root");
      if ((await stat(file)).isDirectory()) file = join(file, "index.html");
      const body = await readFile(file);
      const type = mimeTypes[extname(file)] ?? "application/octet-stream";
      res.writeHead(200, { ...headers, "Content-Type": type, "Content-Length": body.length });
      res.end(req.method === "HEAD" ? undefined : body);
    } catch {
      res.writeHead(404, { ...headers, "Content-Type": "text/plain" });
      res.end("not found");
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
