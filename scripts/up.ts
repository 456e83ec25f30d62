// The process supervisor behind bin/up: starts the four services as child processes with
// readable, prefixed logs, waits until each is ready, loads the reference data and synthetic
// dataset through the public API, prints where everything is and a development token per role,
// and on Ctrl-C stops the services (and the Kafka broker bin/up started) cleanly.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  COMPILE_CACHE_ENV,
  DEV_AUDIENCE,
  DEV_ISSUER,
  DEV_JWT_SECRET,
  issueDevToken,
  prepareCompileCache,
  SERVICE_ENV,
  serviceNodeFlags,
} from '@placements/service-kit';
import { seedReferenceData } from './seed.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: { 'no-seed': { type: 'boolean' }, 'log-level': { type: 'string', default: 'info' } },
});

export const SERVICES = [
  { name: 'referral', port: 3001, colour: 36 },
  { name: 'matching', port: 3002, colour: 35 },
  { name: 'notification', port: 3003, colour: 33 },
  { name: 'monitoring', port: 3004, colour: 32 },
] as const;

const LEVELS: Record<string, string> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO ',
  warn: 'WARN ',
  error: 'ERROR',
  fatal: 'FATAL',
};

function prefix(name: string, colour: number): string {
  return process.stdout.isTTY ? `\x1b[${colour}m${name.padEnd(12)}\x1b[0m` : name.padEnd(12);
}

/** One pino JSON line as `time LEVEL message key=value…`; other lines as they are. */
function formatLine(line: string): string {
  if (!line.startsWith('{')) return line;
  try {
    const {
      time,
      level,
      msg,
      service: _service,
      pid: _pid,
      hostname: _host,
      req,
      res,
      responseTime,
      err,
      ...rest
    } = JSON.parse(line);
    const parts = [String(time ?? '').slice(11, 23), LEVELS[level] ?? String(level).toUpperCase(), msg ?? ''];
    if (req) parts.push(`${req.method} ${req.url}`);
    if (res) parts.push(`→ ${res.statusCode}${responseTime ? ` ${Math.round(responseTime)}ms` : ''}`);
    for (const [key, value] of Object.entries(rest))
      parts.push(`${key}=${typeof value === 'object' ? JSON.stringify(value) : value}`);
    if (err) parts.push(`error=${err.message ?? JSON.stringify(err)}`);
    return parts.join(' ');
  } catch {
    return line;
  }
}

function pipe(child: ChildProcess, name: string, colour: number) {
  for (const stream of [child.stdout, child.stderr]) {
    let buffer = '';
    stream?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline = buffer.indexOf('\n');
      while (newline >= 0) {
        process.stdout.write(`${prefix(name, colour)} ${formatLine(buffer.slice(0, newline))}\n`);
        buffer = buffer.slice(newline + 1);
        newline = buffer.indexOf('\n');
      }
    });
  }
}

function serviceEnv(name: string, port: number): NodeJS.ProcessEnv {
  const upper = name.toUpperCase();
  const env = process.env;
  return {
    ...SERVICE_ENV,
    ...COMPILE_CACHE_ENV,
    ...env,
    NODE_ENV: env.NODE_ENV ?? 'development',
    PORT: String(port),
    LOG_LEVEL: values['log-level'],
    DATABASE_URL: env[`${upper}_DATABASE_URL`],
    MIGRATION_DATABASE_URL: env[`${upper}_MIGRATION_DATABASE_URL`],
    KEYSTORE_DATABASE_URL: env[`${upper}_KEYSTORE_DATABASE_URL`],
    KEYSTORE_MIGRATION_DATABASE_URL: env.KEYSTORE_MIGRATION_DATABASE_URL,
    // Local webhook receivers (the demo's host authority) listen on loopback over http.
    WEBHOOK_ALLOW_HTTP: env.WEBHOOK_ALLOW_HTTP ?? 'true',
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: env.WEBHOOK_ALLOW_PRIVATE_NETWORKS ?? 'true',
  };
}

async function waitReady(name: string, port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/health/ready`);
      const body = (await response.json()) as { status: string };
      if (body.status === 'ready') return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${name} was not ready within 120 s`);
}

const children = new Map<string, ChildProcess>();
let stopping = false;

async function stopAll(code: number): Promise<never> {
  if (stopping) process.exit(code);
  stopping = true;
  console.log('\nstopping services…');
  await Promise.all(
    [...children].map(
      ([, child]) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 35_000).unref();
        }),
    ),
  );
  if (process.env.PLACEMENTS_STOP_KAFKA_ON_EXIT === 'true') {
    spawnSync('bash', ['infra/kafka.sh', 'stop'], { cwd: ROOT, stdio: 'inherit' });
  }
  console.log('stopped.');
  process.exit(code);
}

process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

// Each service loads its code from Node's compile cache (service-kit's runtime.ts).
prepareCompileCache(SERVICES.map((service) => service.name));
for (const service of SERVICES) {
  const child = spawn(
    process.execPath,
    [...serviceNodeFlags(service.name), `services/${service.name}/src/server.ts`],
    {
      cwd: ROOT,
      env: serviceEnv(service.name, service.port),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.set(service.name, child);
  pipe(child, service.name, service.colour);
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${service.name} stopped unexpectedly (${code ?? signal}); stopping the rest`);
      void stopAll(1);
    }
  });
}

try {
  await Promise.all(
    SERVICES.map((service) => waitReady(service.name, service.port, children.get(service.name)!)),
  );
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  await stopAll(1);
}

const opsToken = await issueDevToken({
  org: 'ops',
  roles: ['ops'],
  secret: process.env.AUTH_JWT_SECRET ?? DEV_JWT_SECRET,
  issuer: DEV_ISSUER,
  audience: DEV_AUDIENCE,
});
if (!values['no-seed']) {
  try {
    const regulatorToken = await issueDevToken({
      org: 'ofsted',
      roles: ['regulator'],
      secret: process.env.AUTH_JWT_SECRET ?? DEV_JWT_SECRET,
      issuer: DEV_ISSUER,
      audience: DEV_AUDIENCE,
    });
    const summary = await seedReferenceData({
      matchingUrl: 'http://127.0.0.1:3002',
      opsToken,
      regulatorToken,
      log: (line) => console.log(`${prefix('seed', 34)} ${line}`),
    });
    console.log(`${prefix('seed', 34)} ${summary}`);
  } catch (error) {
    console.error(`${prefix('seed', 34)} seeding failed: ${error instanceof Error ? error.message : error}`);
  }
}

const tokenFor = (org: string, role: Parameters<typeof issueDevToken>[0]['roles'][number]) =>
  issueDevToken({
    org,
    roles: [role],
    secret: process.env.AUTH_JWT_SECRET ?? DEV_JWT_SECRET,
    issuer: DEV_ISSUER,
    audience: DEV_AUDIENCE,
    ttlSeconds: 24 * 3600,
  });
const tokens: [string, string, string][] = [
  ['placing-authority', 'E09000014 (Haringey)', await tokenFor('E09000014', 'placing-authority')],
  ['host-authority', 'E08000007 (Stockport)', await tokenFor('E08000007', 'host-authority')],
  ['provider', 'P1001', await tokenFor('P1001', 'provider')],
  ['independent-visitor', 'P1001', await tokenFor('P1001', 'independent-visitor')],
  ['regulator', 'ofsted', await tokenFor('ofsted', 'regulator')],
  ['ops', 'ops', opsToken],
];
console.log('\nThe placement platform is up.\n');
for (const service of SERVICES)
  console.log(`  ${service.name.padEnd(13)} http://127.0.0.1:${service.port}/docs`);
const monitoring = SERVICES.find((service) => service.name === 'monitoring');
if (monitoring)
  console.log(
    `  ${'console'.padEnd(13)} http://127.0.0.1:${monitoring.port}/console/ (sign in with a token below)`,
  );
console.log('\nDevelopment tokens (24 h; `pnpm token --org <org> --role <role>` makes others):');
for (const [role, org, token] of tokens) console.log(`  ${role.padEnd(20)} ${org.padEnd(22)} ${token}`);
console.log('\nCtrl-C stops everything.\n');
