// The demo page built and served once per test file (before/after hooks), plus what every web
// test file shares: the screenshot folder and the page's error lines.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import assert from "node:assert/strict";
import { after, before } from "node:test";
import type { Page } from "playwright-core";
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

/** No horizontal overflow: the page is no wider than the viewport. */
export async function noOverflow(page: Page): Promise<void> {
  const [sw, iw] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(sw <= iw, `page is ${sw} px wide in a ${iw} px viewport`);
}

/** Focus a control and work it with keys only. */
export async function key(page: Page, sel: string, keys: string[]): Promise<void> {
  await page.focus(sel);
  for (const k of keys) await page.keyboard.press(k);
}

/** Choose `value` in a <select> with the keyboard (arrow keys until it is selected). */
export async function keySelect(page: Page, sel: string, value: string): Promise<void> {
  await page.focus(sel);
  const values = await page.locator(`${sel} option`).evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
  const want = values.indexOf(value);
  assert.ok(want >= 0, `${sel} has ${value}: ${values}`);
  const cur = values.indexOf(await page.locator(sel).inputValue());
  for (let i = cur; i < want; i++) await page.keyboard.press("ArrowDown");
  for (let i = cur; i > want; i--) await page.keyboard.press("ArrowUp");
  assert.equal(await page.locator(sel).inputValue(), value);
}


/** Tab through the page from the top: every visible, enabled control must take the focus. */
export async function tabReachesEverything(page: Page): Promise<number> {
  const want: string[] = await page.evaluate(() => {
    const els = [...document.querySelectorAll<HTMLElement>("button, select, input, summary, a[href], [tabindex='0']")];
    // The diagram's arrows (tabindex 0) are redrawn as the run moves: focus + Enter on them is tested on its own.
    const shown = els.filter((e) => e.getClientRects().length > 0 && !(e as HTMLButtonElement).disabled && !e.closest("[hidden]") && !e.closest("svg"));
    shown.forEach((e, i) => {
      e.dataset.kb = String(i);
    });
    return shown.map((e) => e.id || e.getAttribute("aria-label") || e.textContent?.trim().slice(0, 30) || e.tagName);
  });
  // Every element that takes the focus is noted in the page (one round trip per 10 Tabs).
  await page.evaluate(() => {
    const w = window as unknown as { kbSeen: Set<string> };
    w.kbSeen = new Set();
    document.addEventListener("focusin", (e) => {
      const kb = (e.target as HTMLElement).dataset?.kb;
      if (kb !== undefined) w.kbSeen.add(kb);
    });
    (document.activeElement as HTMLElement | null)?.blur();
  });
  const arrows = await page.locator("svg [tabindex='0']").count();
  let seen = new Set<string>();
  for (let i = 0; i < want.length + arrows + 40 && seen.size < want.length; i += 10) {
    for (let k = 0; k < 10; k++) await page.keyboard.press("Tab");
    seen = new Set(await page.evaluate(() => [...(window as unknown as { kbSeen: Set<string> }).kbSeen]));
  }
  const missed = want.filter((_, i) => !seen.has(String(i)));
  assert.deepEqual(missed, [], "controls Tab never reached");
  return want.length;
}
