// How a service process is started: the V8 heap settings every launcher uses (bin/up, the
// end-to-end harness, the benchmarks, docker compose). Without them V8 sizes the heap for the
// machine (gigabytes here) and a 10-minute REST soak took the services to 362-461 MB resident;
// with a 2 MB young generation the same soak peaked at 153-242 MB (bench/README.md). Matching gets
// 4 MB: each shortlist builds a view of every candidate and excluded home (~600 kB of JSON and the
// objects behind it), and in 2 MB most of it survived into the old generation, which made garbage
// collection ~18 % of its CPU under 20 referrals a second; at 4, 8 and 16 MB its CPU per referral
// measured the same (21-30 ms, within the runs' spread), and each step down saved resident memory.
// Referral gets 8 MB: its request handlers allocate briskly, and in 2 MB the same GET load cost
// 221 us of CPU a request against 153-194 us in 8 MB and 127 us with V8's defaults (bench/README.md).
// A process that did run out of heap would exit and be restarted, and redelivery makes that safe.
// Matching and referral also turn off V8's allocation-site pretenuring. A ranking's candidates are
// often still being built when a 4 MB young generation fills, so V8 judged their allocation sites
// long-lived and allocated them straight into the old generation, where each ranking's garbage then
// cost a full collection every 30-50 rankings: without it, 3,400 rankings promoted 22 MB instead of
// 505 MB and paused 0.35 s instead of 1.3 s. Referral's request objects fared the same: GET cost
// 208-216 us of CPU a request and a p99 of 17 ms without it, 247-310 us and 32-38 ms with it, in
// runs on the same machine an hour apart (bench/README.md).
// Matching also exposes `gc` so that it can give back, after a burst, the heap pages V8 keeps
// pooled (heap-trim.ts): 41-55 MB of them stayed resident through the REST soak without it.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Young-generation semi-space per service, in MB (V8's `--max-semi-space-size`). */
const SEMI_SPACE_MB: Readonly<Record<string, number>> = { matching: 4, referral: 8 };
const DEFAULT_SEMI_SPACE_MB = 2;
const OLD_SPACE_MB = 192;
/** V8 flags beyond the heap's sizes, per service. */
const EXTRA_FLAGS: Readonly<Record<string, readonly string[]>> = {
  matching: ['--no-allocation-site-pretenuring', '--expose-gc'],
  referral: ['--no-allocation-site-pretenuring'],
};

/**
 * Environment every service process starts with. glibc gives each thread that allocates its own
 * malloc arena (up to eight per core); with zlib, libuv's pool and the V8 helpers allocating from
 * several threads, freed memory stays spread over arenas and resident. Two arenas kept the same
 * 20-referral-a-second run and GET soak at 141-265 MB instead of 153-344 MB (bench/README.md).
 * glibc also raises its mmap threshold to the size of the largest block freed (up to 32 MB), after
 * which the 50 kB-1 MB buffers of Kafka fetches, bytea columns and compressed views come from the
 * heap arena and the gaps between them stay resident; a fixed 64 kB threshold maps them on their
 * own and returns them when freed: matching's main arena went from ~100 MB to ~41 MB.
 */
export const SERVICE_ENV: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: '2',
  MALLOC_MMAP_THRESHOLD_: '65536',
};

/** The node flags a service's process starts with. */
export function serviceNodeFlags(service: string): string[] {
  return [
    `--max-semi-space-size=${SEMI_SPACE_MB[service] ?? DEFAULT_SEMI_SPACE_MB}`,
    `--max-old-space-size=${OLD_SPACE_MB}`,
    ...(EXTRA_FLAGS[service] ?? []),
  ];
}

/**
 * The argument that makes a service's entry (`services/<name>/src/server.ts --compile-only`) load
 * its code, write Node's compile cache and exit, touching no database or broker (runService).
 */
export const COMPILE_ONLY = '--compile-only';

/**
 * Node's compile cache for the processes launched from this checkout (in `.local/`, which git
 * ignores). The services run their TypeScript as Node strips it: without a cache, the first file
 * stripped loads Node's type stripper (swc compiled to WebAssembly), whose code and memory stay
 * resident for the life of the process, and every module is stripped and compiled again at each
 * start. With the cache warm nothing is stripped: loading matching's modules took 113 MB resident
 * instead of 136 MB (under load the peaks moved less, bench/README.md). Entries are keyed by the
 * file's content and Node's version, so an edited file or another Node is a miss, never a stale
 * hit. The image warms its own at build.
 */
export const COMPILE_CACHE_ENV: Readonly<Record<string, string>> = {
  NODE_COMPILE_CACHE: fileURLToPath(new URL('../../../.local/node-compile-cache', import.meta.url)),
};

/**
 * Warms the compile cache for these services, one short process each, before they are launched:
 * the process that fills a cache entry is the one that pays for stripping it. Throws if a service's
 * code does not load.
 */
export function prepareCompileCache(services: readonly string[]): void {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  for (const service of services) {
    const result = spawnSync(process.execPath, [`services/${service}/src/server.ts`, COMPILE_ONLY], {
      cwd: root,
      env: { ...process.env, ...COMPILE_CACHE_ENV },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (result.status !== 0) {
      throw new Error(
        `${service}'s code did not load for the compile cache (exit ${result.status ?? result.signal})`,
      );
    }
  }
}
