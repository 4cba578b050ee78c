// Vite config for the demo (web/) and the runtime check pages (web/*/index.html).
// COOP/COEP make the pages cross-origin isolated so SharedArrayBuffer is available.
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";

const here = dirname(fileURLToPath(import.meta.url));
const webRoot = join(here, "web");

export const isolationHeaders = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

/** web/index.html plus every web/<page>/index.html (except build output). */
export function pageInputs(root = webRoot): Record<string, string> {
  const inputs: Record<string, string> = { main: join(root, "index.html") };
  for (const e of readdirSync(root, { withFileTypes: true })) {
    if (!e.isDirectory() || e.name === "dist" || e.name === "node_modules") continue;
    const page = join(root, e.name, "index.html");
    if (existsSync(page)) inputs[e.name] = page;
  }
  return inputs;
}

/**
 * `npm run dev` also starts the live lab (issue 14 item 5): two Forwarding Agents (Deno with
 * WebTransport + WebSocket when deno is there, Node with a WebSocket) and a UDP echo peer,
 * and serves their endpoints as /live.json for the page's live mode (src/lab/live-node.ts).
 * HIPMM_LIVE=0 turns it off.
 */
function liveLab(): Plugin {
  return {
    name: "hipmm-live-lab",
    apply: "serve",
    configureServer(server) {
      if (process.env.HIPMM_LIVE === "0") return;
      const log = (line: string) => server.config.logger.info(line);
      const lab = import("./src/lab/live-node.ts").then((m) => m.startLiveLab({ root: here, log }));
      lab.catch((e: unknown) => server.config.logger.warn(`live lab not started: ${e instanceof Error ? e.message : String(e)}`));
      server.httpServer?.once("close", () => void lab.then((l) => l.close(), () => {}));
      server.middlewares.use("/live.json", (_req, res) => {
        lab.then(
          (l) => {
            res.setHeader("Content-Type", "application/json");
            res.end(JSON.stringify(l.config));
          },
          (e: unknown) => {
            res.statusCode = 503;
            res.end(String(e));
          },
        );
      });
    },
  };
}

export default defineConfig({
  root: webRoot,
  plugins: [liveLab()],
  build: {
    outDir: join(webRoot, "dist"),
    emptyOutDir: true,
    target: "es2022",
    rolldownOptions: { input: pageInputs() },
  },
  worker: { format: "es" },
  server: { host: "127.0.0.1", headers: isolationHeaders, fs: { allow: [here] } },
  preview: { host: "127.0.0.1", headers: isolationHeaders },
});
