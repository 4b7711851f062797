import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, relative, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { desktopBackend, type NativeSide } from '../../src/main/desktop/backend';
import type { HoistService } from '../../src/main/desktop/hoist-service';
import { APP_URL } from '../../src/main/app-url';
import { registerIpc } from '../../src/main/ipc';
import { CONTENT_SECURITY_POLICY } from '../../src/shared/csp';
import { IPC } from '../../src/shared/ipc-channels';

const RENDERER = resolve('out/renderer');
export const SCREENSHOTS = resolve('test-output/screenshots');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** Serves the production build of the renderer over HTTP (module scripts cannot load from file://). */
async function serveRenderer(): Promise<{ url: string; server: Server }> {
  if (!existsSync(join(RENDERER, 'index.html'))) {
    execFileSync('./node_modules/.bin/electron-vite', ['build'], { stdio: 'ignore' });
  }
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const file = join(RENDERER, path === '/' ? 'index.html' : decodeURIComponent(path));
    if (relative(RENDERER, file).startsWith('..')) {
      res.writeHead(404).end();
      return;
    }
    readFile(file).then(
      (body) =>
        res
          .writeHead(200, {
            'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
            'content-security-policy': CONTENT_SECURITY_POLICY,
          })
          .end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

// The page gets the same typed API as the preload gives it, routed through the production IPC handlers
// (sender check and schema validation included) to a real HoistService. A string, not a function:
// functions handed to the page from tsx-compiled code can reference tsx helpers the page lacks.
const BRIDGE = `(() => {
  const channels = ${JSON.stringify(IPC)};
  const listeners = new Set();
  window.__hoistEmit = (update) => { for (const listener of listeners) listener(update); };
  const call = (name) => (payload) =>
    payload === undefined ? window.__hoistInvoke(channels[name]) : window.__hoistInvoke(channels[name], payload);
  window.hoist = {
    ...Object.fromEntries(Object.keys(channels).filter((n) => n !== 'update' && n !== 'grantDropped').map((n) => [n, call(n)])),
    onUpdate: (listener) => { listeners.add(listener); return () => listeners.delete(listener); },
    addDropped: (files) =>
      window.__hoistInvoke(channels.grantDropped, files.map((f) => (window.__hoistDropPaths || {})[f.name]).filter(Boolean)),
  };
})();`;

/** A browser page running the built renderer against a real service. */
export interface RendererHarness {
  page: Page;
  context: BrowserContext;
  /** Text the app copied to the clipboard and files it opened, in order. */
  copied: string[];
  opened: string[];
  /** What the next native pickers return. */
  picks: { folders: string[]; files: string[]; caFile: string | undefined };
  /** The questions main asked the person in native dialogs (each answered yes). */
  confirms: string[];
  screenshot(name: string): Promise<void>;
  close(): Promise<void>;
}

let browser: Browser | undefined;

/** Launches Debian's Chromium once per test file. */
async function launch(): Promise<Browser> {
  browser ??= await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
  return browser;
}

/** Closes the shared browser. */
export async function closeBrowser(): Promise<void> {
  await browser?.close();
  browser = undefined;
}

/** Opens the built renderer in a page wired to `service`. */
export async function openRenderer(
  service: HoistService,
  options: { colorScheme?: 'light' | 'dark'; locale?: string } = {},
): Promise<RendererHarness> {
  const { url, server } = await serveRenderer();
  const context = await (
    await launch()
  ).newContext({
    viewport: { width: 1280, height: 800 },
    colorScheme: options.colorScheme ?? 'light',
    locale: options.locale ?? 'en-US',
  });
  const copied: string[] = [];
  const opened: string[] = [];
  const picks = { folders: [] as string[], files: [] as string[], caFile: undefined as string | undefined };
  const confirms: string[] = [];
  const native: NativeSide = {
    pickFolders: async () => picks.folders,
    pickFiles: async () => picks.files,
    pickCaFile: async () => picks.caFile,
    confirm: async (message) => {
      confirms.push(message);
      return true;
    },
    copyText: (text) => void copied.push(text),
    openPath: async (path) => void opened.push(path),
    openUrl: async (url) => void opened.push(url),
  };
  const handlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();
  const contents = { mainFrame: { url: APP_URL } };
  registerIpc(
    {
      handle: (channel: string, fn: (event: unknown, ...args: unknown[]) => unknown) => handlers.set(channel, fn),
    } as never,
    () => contents as never,
    desktopBackend(service, native),
  );
  const trusted = { sender: contents, senderFrame: contents.mainFrame };
  await context.exposeBinding('__hoistInvoke', (_source, channel: string, ...args: unknown[]) =>
    handlers.get(channel)!(trusted, ...args),
  );
  await context.addInitScript(BRIDGE);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  const push = (update: unknown) =>
    void page.evaluate(`window.__hoistEmit(${JSON.stringify(update)})`).catch(() => undefined);
  service.on('update', push);
  await page.goto(url);
  await mkdir(SCREENSHOTS, { recursive: true });
  return {
    page,
    context,
    copied,
    opened,
    picks,
    confirms,
    screenshot: async (name) => {
      await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
    },
    close: async () => {
      service.off('update', push);
      await context.close();
      await new Promise<void>((done) => server.close(() => done()));
      if (errors.length) throw new Error(`The page reported errors:\n${errors.join('\n')}`);
    },
  };
}

/**
 * The pairs of elements matching `selector` whose boxes overlap, and those reaching past the window's
 * right edge, as `a / b` texts: empty when the layout keeps each value apart and on screen.
 */
export async function overlapsIn(page: Page, selector: string): Promise<string[]> {
  return page.evaluate((css) => {
    const elements = [...document.querySelectorAll(css)].filter((e) => e.getClientRects().length > 0);
    const boxes = elements.map((e) => ({ text: e.textContent ?? '', box: e.getBoundingClientRect() }));
    const found: string[] = [];
    boxes.forEach(({ text, box }, i) => {
      if (box.right > window.innerWidth) found.push(`${text} / the window's edge`);
      for (const other of boxes.slice(i + 1)) {
        const b = other.box;
        const apart = box.right <= b.left || b.right <= box.left || box.bottom <= b.top || b.bottom <= box.top;
        if (!apart) found.push(`${text} / ${other.text}`);
      }
    });
    return found;
  }, selector);
}
