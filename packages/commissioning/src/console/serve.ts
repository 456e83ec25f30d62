// Serves the web console (the repository's console/ folder, built by Vite into console/dist) at /console/. The
// build runs by itself when dist is missing or older than the console's sources (a fingerprint of
// their contents is kept in dist/.build.json), so starting the service or a test is enough. One
// build at a time per machine (a lock directory); the new build replaces dist in one rename.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import { ProblemError } from '@placements/service-kit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CommissioningHost } from '../context.ts';

export const CONSOLE_DIR = fileURLToPath(new URL('../../../../console/', import.meta.url));
const SOURCES = ['index.html', 'src', 'vite.config.ts', 'package.json'];
const STAMP = '.build.json';
/** A lock older than this belongs to a build that died. */
const STALE_LOCK_MS = 5 * 60_000;
const BUILD_WAIT_MS = 180_000;

async function filesUnder(path: string): Promise<string[]> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return [];
  if (info.isFile()) return [path];
  const entries = await readdir(path, { withFileTypes: true });
  const nested = await Promise.all(entries.map((entry) => filesUnder(join(path, entry.name))));
  return nested.flat();
}

/** A fingerprint of the console's sources: paths and contents. */
export async function sourceFingerprint(consoleDir = CONSOLE_DIR): Promise<string> {
  const files = (await Promise.all(SOURCES.map((source) => filesUnder(join(consoleDir, source)))))
    .flat()
    .sort();
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(relative(consoleDir, file));
    hash.update('\0');
    hash.update(await readFile(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}

async function builtFingerprint(distDir: string): Promise<string | undefined> {
  try {
    return (JSON.parse(await readFile(join(distDir, STAMP), 'utf8')) as { fingerprint?: string }).fingerprint;
  } catch {
    return undefined;
  }
}

function run(command: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`vite build failed (exit ${code}):\n${output.slice(-4000)}`)),
    );
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Builds the console into `distDir` unless its build matches the sources. Returns what it did.
 * Another process building at the same time is waited for, not duplicated.
 */
export async function ensureConsoleBuilt(
  options: { consoleDir?: string; distDir?: string } = {},
): Promise<'current' | 'built' | 'unavailable'> {
  const consoleDir = options.consoleDir ?? CONSOLE_DIR;
  const distDir = options.distDir ?? join(consoleDir, 'dist');
  const fingerprint = await sourceFingerprint(consoleDir);
  if ((await builtFingerprint(distDir)) === fingerprint) return 'current';
  const vite = join(consoleDir, 'node_modules', 'vite', 'bin', 'vite.js');
  // A deployment without the console's dev dependencies serves whatever build it shipped with.
  if (!existsSync(vite)) return existsSync(join(distDir, 'index.html')) ? 'current' : 'unavailable';
  const lock = join(
    tmpdir(),
    `placements-console-build-${createHash('sha256').update(consoleDir).digest('hex').slice(0, 12)}`,
  );
  const deadline = Date.now() + BUILD_WAIT_MS;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch {
      const held = await stat(lock).catch(() => undefined);
      if (held && Date.now() - held.mtimeMs > STALE_LOCK_MS) await rm(lock, { recursive: true, force: true });
      if ((await builtFingerprint(distDir)) === fingerprint) return 'current';
      if (Date.now() > deadline) throw new Error('timed out waiting for another console build');
      await sleep(500);
    }
  }
  try {
    if ((await builtFingerprint(distDir)) === fingerprint) return 'current';
    const staging = join(consoleDir, 'node_modules', `.console-build-${randomBytes(4).toString('hex')}`);
    await run(
      process.execPath,
      [vite, 'build', '--logLevel', 'warn', '--outDir', staging, '--emptyOutDir'],
      consoleDir,
    );
    await writeFile(join(staging, STAMP), JSON.stringify({ fingerprint, builtAt: new Date().toISOString() }));
    const old = `${staging}-old`;
    if (existsSync(distDir)) await rename(distDir, old);
    await rename(staging, distDir);
    await rm(old, { recursive: true, force: true });
    return 'built';
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

/** Registers /console/ on the host and starts the build check in the background. */
export function registerConsole(
  host: CommissioningHost,
  options: { build?: boolean; distDir?: string },
): Promise<void> {
  const distDir = options.distDir ?? join(CONSOLE_DIR, 'dist');
  let state: { ok: boolean; detail: string } = { ok: false, detail: 'building' };
  const ready = (
    options.build === false
      ? Promise.resolve(
          existsSync(join(distDir, 'index.html')) ? ('current' as const) : ('unavailable' as const),
        )
      : ensureConsoleBuilt({ distDir })
  ).then(
    (outcome) => {
      state =
        outcome === 'unavailable'
          ? { ok: false, detail: 'no console build (and none to be made here)' }
          : { ok: true, detail: outcome };
      if (outcome === 'built') host.logger.info({ distDir }, 'console built');
    },
    (error: unknown) => {
      state = { ok: false, detail: error instanceof Error ? error.message.split('\n')[0]! : String(error) };
      host.logger.error({ err: error }, 'console build failed');
    },
  );
  // The console is for commissioners; the service's statutory work does not wait for it, so a
  // missing build reports the service degraded, never unavailable.
  host.readiness('console', async () => ({ ...state, critical: false }));

  void host.app.register(async (scope: FastifyInstance) => {
    await scope.register(fastifyStatic, { root: distDir, serve: false, index: false });
    const serve = async (request: FastifyRequest, reply: FastifyReply) => {
      await Promise.race([ready, sleep(BUILD_WAIT_MS)]);
      if (!state.ok)
        throw new ProblemError(503, 'console-unavailable', 'The console is not available', {
          detail: state.detail,
          headers: { 'retry-after': '5' },
        });
      const path = (request.params as { '*'?: string })['*'] || 'index.html';
      if (path === 'index.html' || !path.includes('.')) {
        reply.header('cache-control', 'no-cache');
        return reply.sendFile('index.html');
      }
      // Vite names built assets by content hash: they never change under the same name.
      if (path.startsWith('assets/')) reply.header('cache-control', 'public, max-age=31536000, immutable');
      return reply.sendFile(path);
    };
    // The host ignores trailing slashes: /console and /console/ both reach the first route. The
    // build's asset URLs are absolute (/console/assets/...), so the page works from either address.
    const route = { config: { auth: 'public' as const }, schema: { hide: true } };
    scope.get('/console', route, serve);
    scope.get('/console/*', route, serve);
  });
  return ready;
}
