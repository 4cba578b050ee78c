// Vite config for the demo (web/) and the runtime check pages (web/*/index.html).
// COOP/COEP make the pages cross-origin isolated so SharedArrayBuffer is available.
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

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

export default defineConfig({
  root: webRoot,
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
