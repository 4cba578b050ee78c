// The demo page built and served once per test file (before/after hooks), plus what every web
// test file shares: the screenshot folder and the page's error lines.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before } from "node:test";
import { buildAndServe, type PageLog, repoRoot, type Served } from "../helpers/browser.ts";

export const shots = join(repoRoot, ".tmp");

/** Build and serve web/ for this file's tests unless `skip`; `url()` is its address. */
export function serveDemo(skip: string | false): { url(): string; origin(): string; outDir(): string } {
  let site: Served | undefined;
  before(async () => {
    if (skip) return;
    mkdirSync(shots, { recursive: true });
    site = await buildAndServe("");
  });
  after(async () => {
    await site?.close();
  });
  return {
    url() {
      if (!site) throw new Error("demo site not served");
      return site.url;
    },
    origin() {
      if (!site) throw new Error("demo site not served");
      return site.origin;
    },
    /** Where the build is served from (the live test writes live.json there). */
    outDir() {
      if (!site) throw new Error("demo site not served");
      return site.outDir;
    },
  };
}

/** Console errors and uncaught page errors. */
export function errors(log: PageLog): string[] {
  return log.lines.filter((l) => l.startsWith("error") || l.startsWith("pageerror"));
}
