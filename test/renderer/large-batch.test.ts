import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { HoistService } from '../../src/main/desktop/hoist-service';
import { SettingsStore } from '../../src/main/desktop/settings-store';
import { noKeychain } from '../helpers/keychains';
import { UploadEngine } from '../../src/engine';
import { closeBrowser, openRenderer, overlapsIn, SCREENSHOTS } from '../helpers/renderer';
import { startTestSigner, type TestSigner } from '../helpers/signer';

// A 100,000-file batch in the built renderer, uploading for real while the file table is scrolled
// every frame. Frame times are measured in the page and written next to the screenshots.
const FILES = 100_000;
const s3 = inject('s3');
let signer: TestSigner;
let folder: string;

beforeAll(async () => {
  signer = await startTestSigner(s3, { rateLimit: { max: 100_000, windowMs: 60_000 } });
  folder = await mkdtemp(join(tmpdir(), 'hoist-100k-'));
  for (let d = 0; d < 100; d++) {
    const dir = join(folder, `dir-${String(d).padStart(3, '0')}`);
    await mkdir(dir);
    await Promise.all(
      Array.from({ length: FILES / 100 }, (_, f) =>
        writeFile(join(dir, `file-${String(f).padStart(4, '0')}.txt`), `${d}/${f}`),
      ),
    );
  }
}, 180_000);
afterAll(async () => {
  await closeBrowser();
  await signer.close();
});

// Scrolls the file table by `step` pixels every frame for `ms`, wrapping at the end; resolves to the
// time between frames. A string: the page cannot run tsx-compiled functions.
const SCROLL_AND_MEASURE = (ms: number, step: number) => `new Promise((resolve) => {
  const el = document.querySelector('.file-scroll');
  const gaps = [];
  let busy = 0;
  const observer = new PerformanceObserver((list) => { for (const e of list.getEntries()) busy += e.duration; });
  observer.observe({ type: 'longtask' });
  let last = performance.now();
  const end = last + ${ms};
  const frame = (now) => {
    gaps.push(now - last);
    last = now;
    el.scrollTop = el.scrollTop + el.clientHeight >= el.scrollHeight - 1 ? 0 : el.scrollTop + ${step};
    if (now < end) requestAnimationFrame(frame);
    else { observer.disconnect(); resolve({ gaps, longTaskMs: Math.round(busy) }); }
  };
  requestAnimationFrame(frame);
})`;

/**
 * Scrolls and measures, with a CPU profile of the page's main thread (busy time and the top functions by
 * self time) and how busy this process (engine and service) was meanwhile.
 */
async function measure(page: Page, ms: number) {
  const cdp = await page.context().newCDPSession(page);
  const browser = page.context().browser()!;
  await browser.startTracing(page, { categories: ['toplevel', '__metadata'] });
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.start');
  const cpu = process.cpuUsage();
  const started = performance.now();
  const { gaps, longTaskMs } = (await page.evaluate(SCROLL_AND_MEASURE(ms, 120))) as {
    gaps: number[];
    longTaskMs: number;
  };
  const used = process.cpuUsage(cpu);
  const wall = performance.now() - started;
  const { profile } = await cdp.send('Profiler.stop');
  const tasks = pageTasks(JSON.parse((await browser.stopTracing()).toString()) as Trace);
  await cdp.detach();
  const selfMs = new Map<string, number>();
  const names = new Map(profile.nodes.map((n) => [n.id, n.callFrame.functionName || '(anonymous)']));
  profile.samples!.forEach((id, i) => {
    const name = names.get(id)!;
    selfMs.set(name, (selfMs.get(name) ?? 0) + profile.timeDeltas![i]! / 1000);
  });
  const busy = [...selfMs].filter(([name]) => name !== '(idle)').reduce((sum, [, t]) => sum + t, 0);
  const top = [...selfMs]
    .filter(([name]) => name !== '(idle)')
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([name, t]) => `${name} ${Math.round(t)}ms`);
  return {
    ...stats(gaps),
    pageLongTaskMs: longTaskMs,
    pageMainThreadBusy: Math.round((busy / wall) * 100) / 100,
    pageTop: top,
    pageTasks: tasks.length,
    pageTaskCpuP99: quantile(tasks, 0.99),
    pageTaskCpuMax: quantile(tasks, 1),
    pageCpuShare: Math.round((tasks.reduce((sum, t) => sum + t, 0) / wall) * 100) / 100,
    engineProcessCores: Math.round(((used.user + used.system) / 1000 / wall) * 100) / 100,
  };
}

interface Trace {
  traceEvents: {
    ph: string;
    name: string;
    pid: number;
    tid: number;
    tdur?: number;
    args: { name?: string };
  }[];
}

// The CPU time (ms, thread time: not the time the OS gave other processes) of each task the page's main
// thread ran while traced.
function pageTasks({ traceEvents }: Trace): number[] {
  const main = traceEvents.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.args.name === 'CrRendererMain')!;
  return traceEvents
    .filter(
      (e) =>
        e.ph === 'X' &&
        e.name === 'ThreadControllerImpl::RunTask' &&
        e.pid === main.pid &&
        e.tid === main.tid &&
        e.tdur !== undefined,
    )
    .map((e) => e.tdur! / 1000);
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! * 10) / 10;
}

function stats(gaps: number[]) {
  return {
    frames: gaps.length,
    p50: quantile(gaps, 0.5),
    p95: quantile(gaps, 0.95),
    p99: quantile(gaps, 0.99),
    max: quantile(gaps, 1),
    over50ms: gaps.filter((g) => g > 50).length,
  };
}

describe('a 100,000-file batch', () => {
  // 180 s: the scan alone may take the 120 s its wait allows, which the suite's 60 s default would cut short.
  it('keeps scrolling and updating smoothly while it uploads', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'hoist-app-'));
    const service = new HoistService({
      settings: new SettingsStore(join(stateDir, 'settings.json'), noKeychain),
      stateDir,
      createEngine: async () =>
        new UploadEngine({ signerUrl: signer.url, token: signer.tokens.alice, stateDir, concurrency: 8 }),
    });
    const h = await openRenderer(service);
    try {
      h.picks.folders = [folder];
      await h.page.getByRole('button', { name: 'Add folder…' }).click();
      const card = h.page.getByRole('listitem', { name: /^Batch / });
      await card.getByText('Planning…').waitFor();
      await h.screenshot('02b-planning-100k');
      await card.getByText('Ready to upload').waitFor({ timeout: 120_000 });
      await expect.poll(() => h.page.getByRole('tab', { name: /All/ }).textContent()).toMatch(/100,000$/u);

      const idle = await measure(h.page, 3000);
      await h.page.evaluate(`document.querySelector('.file-scroll').scrollTop = 0`);
      await card.getByRole('button', { name: 'Upload', exact: true }).click();
      await card.getByText('Uploading').waitFor();
      // The upload scans the 100,000 files again before the first ends: on a busy machine that takes seconds.
      await expect
        .poll(() => h.page.getByRole('tab', { name: /Done/ }).textContent(), { timeout: 30_000 })
        .not.toMatch(/Done\s*0$/u);
      // No layout jumps: the card, its numbers and the filter tabs keep their boxes while numbers change.
      const boxes = `JSON.stringify(['.batch', '.batch-numbers', '.filters', '.overall'].map((s) => {
        const r = document.querySelector(s).getBoundingClientRect();
        return [s, r.x, r.y, r.width, r.height];
      }))`;
      const layouts = new Set<string>();
      const numbers = new Set<string | null>();
      for (let i = 0; i < 10; i++) {
        layouts.add((await h.page.evaluate(boxes)) as string);
        numbers.add(await card.locator('.batch-numbers').textContent());
        await new Promise((r) => setTimeout(r, 150));
      }
      expect(numbers.size).toBeGreaterThan(1);
      expect([...layouts]).toHaveLength(1);
      const doneBefore = await h.page.getByRole('tab', { name: /Done/ }).textContent();
      const uploading = await measure(h.page, 5000);
      const doneAfter = await h.page.getByRole('tab', { name: /Done/ }).textContent();
      await h.screenshot('08-100k-uploading');

      // Jump to the middle: the rows there are fetched and drawn, not left as placeholders.
      await h.page.evaluate(`document.querySelector('.file-scroll').scrollTop = 50000 * 32`);
      const middle = h.page.locator('[aria-rowindex="50001"]');
      await expect.poll(() => middle.textContent()).toMatch(/dir-\d{3}\/file-\d{4}\.txt/u);

      const frameStats = { idle, uploading };
      await writeFile(join(SCREENSHOTS, '..', 'renderer-frames.json'), `${JSON.stringify(frameStats, null, 2)}\n`);
      console.log(`100k rows, scrolled every frame: ${JSON.stringify(frameStats)}`);
      expect(doneAfter).not.toBe(doneBefore);
      // The page's own work stays within a frame while it uploads: each task its main thread runs takes at
      // most a frame's 16 ms of CPU (p99; 3-7 ms seen here; 38 ms with a 40 ms hold planted per update).
      // Frame times and counts depend on what else runs on this machine's two cores (the engine, Ceph and
      // the other suites: 39 to 300 frames in 5 s seen here), so they are reported, not asserted; thread
      // time is what the OS gave the page, whatever else ran. What keeps it low is asserted too: only the
      // rows in view are in the DOM, whatever the batch size.
      expect(frameStats.uploading.pageTaskCpuP99).toBeLessThan(16);
      expect(await h.page.locator('.file-row').count()).toBeLessThan(60);

      // The header's labelled values never overlap, at 1024 and 1440 pixels wide, with 100,000 files.
      const header = 'header h1, header .overall-state, header .stat dt, header .stat dd, header > button';
      for (const width of [1024, 1440]) {
        await h.page.setViewportSize({ width, height: 800 });
        expect(await overlapsIn(h.page, header)).toEqual([]);
        await h.screenshot(`08b-100k-uploading-${width}`);
      }
      await h.page.emulateMedia({ colorScheme: 'dark' });
      await h.page.setViewportSize({ width: 1024, height: 768 });
      expect(await overlapsIn(h.page, header)).toEqual([]);
      await h.screenshot('08c-100k-uploading-1024-dark');
      // Cancelling a running batch is asked first, saying that what is uploaded stays.
      await card.getByRole('button', { name: 'Cancel', exact: true }).click();
      const confirm = card.getByRole('alertdialog', { name: 'Cancel this upload?' });
      await expect.poll(() => confirm.textContent()).toMatch(/files already uploaded stay uploaded/u);
      await h.screenshot('09-cancel-confirm');
      await confirm.getByRole('button', { name: 'Cancel upload' }).click();
      await card.getByText('Cancelled').waitFor({ timeout: 60_000 });
    } finally {
      await h.close();
      service.close();
    }
  }, 180_000);
});
