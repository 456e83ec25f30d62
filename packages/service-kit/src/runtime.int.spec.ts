// A service's entry with --compile-only writes Node's compile cache and exits without touching a
// database or broker, and a process that then loads the service's modules strips no TypeScript.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { COMPILE_ONLY } from './runtime.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ENTRY = 'services/notification/src/server.ts';
const cacheDirs: string[] = [];

function emptyCacheDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'compile-cache-'));
  cacheDirs.push(dir);
  return dir;
}

/** Runs node in the checkout with only PATH and the given environment (no database, no broker). */
function node(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

/** Whether loading the notification service's modules loaded Node's TypeScript stripper. */
function loadsTypeStripper(cacheDir: string): boolean {
  const app = new URL('../../../services/notification/src/app.ts', import.meta.url).href;
  const result = node(
    [
      '--input-type=module',
      '-e',
      `await import(${JSON.stringify(app)}); console.log(JSON.stringify(process.moduleLoadList.some((m) => m.includes('amaro'))));`,
    ],
    { NODE_COMPILE_CACHE: cacheDir },
  );
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout.trim()) as boolean;
}

afterAll(() => {
  for (const dir of cacheDirs) rmSync(dir, { recursive: true, force: true });
});

describe('compile-only start', () => {
  it('writes the cache and exits 0 with no configuration at all', () => {
    const dir = emptyCacheDir();
    const result = node([ENTRY, COMPILE_ONLY], { NODE_COMPILE_CACHE: dir });
    expect(result.status, result.stderr).toBe(0);
    expect(readdirSync(dir).length).toBeGreaterThan(0);
  });

  it('refuses to run without a cache directory to write', () => {
    const result = node([ENTRY, COMPILE_ONLY]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('NODE_COMPILE_CACHE');
  });

  it('leaves the service nothing to strip when it starts', () => {
    const cold = emptyCacheDir();
    expect(loadsTypeStripper(cold)).toBe(true);
    const warm = emptyCacheDir();
    expect(node([ENTRY, COMPILE_ONLY], { NODE_COMPILE_CACHE: warm }).status).toBe(0);
    expect(loadsTypeStripper(warm)).toBe(false);
  });
});
