// End-to-end harness: the four services as separate processes (node services/<svc>/src/server.ts),
// each with a fresh database of its own and a shared key store, on the real broker with a topic
// namespace of their own, driven only through the documented HTTP API.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Role } from '@placements/contracts';
import { quoteIdent } from '@placements/event-store';
import {
  COMPILE_CACHE_ENV,
  prepareCompileCache,
  SERVICE_ENV,
  serviceNodeFlags,
} from '@placements/service-kit';
import { devToken } from '@placements/service-kit/testing';
import { databaseUrl, TEST_SERVICE_ROLE } from '@placements/testing';
import pg from 'pg';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const SERVICE_NAMES = ['referral', 'matching', 'notification', 'monitoring'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface HttpResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface SystemOptions {
  postgresAdminUrl: string;
  kafkaBrokers: string[];
  /** Extra environment per service (or for all with key '*'). */
  env?: Partial<Record<ServiceName | '*', Record<string, string>>>;
}

export class RunningSystem {
  readonly namespace: string;
  readonly ports = new Map<ServiceName, number>();
  readonly logs = new Map<ServiceName, string[]>();
  readonly #children = new Map<ServiceName, ChildProcess>();
  readonly #databases: string[] = [];
  readonly #options: SystemOptions;
  readonly #logFiles = new Map<ServiceName, WriteStream>();
  readonly #envs = new Map<ServiceName, NodeJS.ProcessEnv>();
  readonly #databaseUrls = new Map<ServiceName | 'keys', { app: string; admin: string }>();

  private constructor(options: SystemOptions) {
    this.#options = options;
    this.namespace = `e2e${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  }

  static async start(options: SystemOptions): Promise<RunningSystem> {
    const system = new RunningSystem(options);
    try {
      await system.#start();
    } catch (error) {
      await system.stop();
      throw error;
    }
    return system;
  }

  url(service: ServiceName, path = ''): string {
    return `http://127.0.0.1:${this.ports.get(service)}${path}`;
  }

  /** A service's database (or the shared key store's, `keys`): the service role's and the owner's URLs. */
  database(name: ServiceName | 'keys'): { app: string; admin: string } {
    const urls = this.#databaseUrls.get(name);
    if (!urls) throw new Error(`no database for ${name}`);
    return urls;
  }

  /** The environment a service process runs with (ops commands run against the same settings). */
  environment(service: ServiceName): NodeJS.ProcessEnv {
    return { ...this.#envs.get(service) };
  }

  /** Consumer groups of this system start with this prefix (`<prefix><service>.<consumer>`). */
  get consumerGroupPrefix(): string {
    return `${this.namespace}.`;
  }

  /** Whether a service's process is running. */
  running(service: ServiceName): boolean {
    const child = this.#children.get(service);
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  async #createDatabase(name: string): Promise<{ app: string; admin: string }> {
    const admin = new pg.Client({ connectionString: this.#options.postgresAdminUrl });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
    } finally {
      await admin.end();
    }
    this.#databases.push(name);
    return {
      admin: databaseUrl(this.#options.postgresAdminUrl, name),
      app: databaseUrl(this.#options.postgresAdminUrl, name, {
        user: TEST_SERVICE_ROLE,
        password: 'placements-test',
      }),
    };
  }

  async #start(): Promise<void> {
    const keyStore = await this.#createDatabase(`${this.namespace}_keys`);
    this.#databaseUrls.set('keys', keyStore);
    const logDir = `${ROOT}test-results/e2e/${this.namespace}`;
    mkdirSync(logDir, { recursive: true });
    // Started from Node's compile cache, as bin/up starts them (service-kit's runtime.ts).
    prepareCompileCache(SERVICE_NAMES);
    for (const service of SERVICE_NAMES) {
      const db = await this.#createDatabase(`${this.namespace}_${service}`);
      this.#databaseUrls.set(service, db);
      const port = await freePort();
      this.ports.set(service, port);
      const env: NodeJS.ProcessEnv = {
        ...SERVICE_ENV,
        ...COMPILE_CACHE_ENV,
        ...process.env,
        NODE_ENV: 'test',
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        DATABASE_URL: db.app,
        MIGRATION_DATABASE_URL: db.admin,
        DATABASE_POOL_SIZE: '5',
        KEYSTORE_DATABASE_URL: keyStore.app,
        KEYSTORE_MIGRATION_DATABASE_URL: keyStore.admin,
        KAFKA_BROKERS: this.#options.kafkaBrokers.join(','),
        KAFKA_TOPIC_NAMESPACE: this.namespace,
        KAFKA_GROUP_PREFIX: `${this.namespace}.`,
        WEBHOOK_ALLOW_HTTP: 'true',
        WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
        // Monitoring serves the console build that exists; building it is bin/up's and the console tests' job.
        CONSOLE: 'serve',
        ...this.#options.env?.['*'],
        ...this.#options.env?.[service],
      };
      delete env.DATABASE_SERVICE_ROLE;
      this.#envs.set(service, env);
      this.logs.set(service, []);
      this.#logFiles.set(service, createWriteStream(`${logDir}/${service}.log`, { flags: 'a' }));
      this.#spawn(service);
    }
    await Promise.all(SERVICE_NAMES.map((service) => this.#waitReady(service)));
  }

  #spawn(service: ServiceName): ChildProcess {
    const lines = this.logs.get(service)!;
    const file = this.#logFiles.get(service)!;
    const child = spawn(
      process.execPath,
      [...serviceNodeFlags(service), `services/${service}/src/server.ts`],
      {
        cwd: ROOT,
        env: this.#envs.get(service),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    for (const stream of [child.stdout, child.stderr]) {
      stream.on('data', (chunk: Buffer) => {
        file.write(chunk);
        lines.push(...chunk.toString().split('\n').filter(Boolean));
      });
    }
    this.#children.set(service, child);
    return child;
  }

  /** Stops a service process with the given signal and waits for it to exit. */
  async kill(service: ServiceName, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.#children.get(service)!;
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  }

  /** Starts a stopped service again on the same port and database, and waits until it is ready. */
  async restart(service: ServiceName, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await this.kill(service, signal);
    this.#spawn(service);
    await this.#waitReady(service);
  }

  async #waitReady(service: ServiceName): Promise<void> {
    const deadline = Date.now() + 120_000;
    let last = '';
    while (Date.now() < deadline) {
      const child = this.#children.get(service)!;
      if (child.exitCode !== null) {
        throw new Error(
          `${service} exited (${child.exitCode}):\n${this.logs.get(service)?.slice(-20).join('\n')}`,
        );
      }
      try {
        const response = await fetch(this.url(service, '/health/ready'));
        last = await response.text();
        if (response.ok && isReady(JSON.parse(last))) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`${service} not ready within 120 s: ${last}`);
  }

  /** Stops a service with SIGKILL or SIGTERM (and, for restart tests, starts it again later). */
  process(service: ServiceName): ChildProcess {
    return this.#children.get(service)!;
  }

  async call<T = unknown>(
    service: ServiceName,
    method: string,
    path: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<HttpResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(this.url(service, path), {
      method,
      headers,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    const text = await response.text();
    let body: unknown = text;
    if ((response.headers.get('content-type') ?? '').includes('json') && text) body = JSON.parse(text);
    return { status: response.status, headers: response.headers, body: body as T, text };
  }

  /** Polls a GET until `accept` holds (eventual consistency across services). */
  async eventually<T = unknown>(
    service: ServiceName,
    path: string,
    token: string,
    accept: (response: HttpResponse<T>) => boolean,
    timeoutMs = 30_000,
  ): Promise<HttpResponse<T>> {
    const deadline = Date.now() + timeoutMs;
    let last: HttpResponse<T> | undefined;
    while (Date.now() < deadline) {
      last = await this.call<T>(service, 'GET', path, { token });
      if (accept(last)) return last;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(
      `GET ${service}${path} did not reach the expected state: ${last?.status} ${last?.text.slice(0, 500)}`,
    );
  }

  /** Stops every service (SIGTERM, then SIGKILL after `graceMs`) and drops the databases. */
  async stop(options: { graceMs?: number } = {}): Promise<void> {
    await Promise.all(
      [...this.#children.values()].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), options.graceMs ?? 20_000).unref();
          }),
      ),
    );
    for (const file of this.#logFiles.values()) file.end();
    const admin = new pg.Client({ connectionString: this.#options.postgresAdminUrl });
    await admin.connect();
    try {
      for (const name of this.#databases)
        await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  }
}

export function token(org: string, role: Role): Promise<string> {
  return devToken(org, role, { ttlSeconds: 3600 });
}

/**
 * Ready, or degraded only by the commissioning console (which has no build in a checkout that
 * has not made one, and which the statutory work never waits for).
 */
function isReady(body: { status?: string; checks?: Record<string, { ok: boolean }> }): boolean {
  if (body.status === 'ready') return true;
  if (body.status !== 'degraded') return false;
  return Object.entries(body.checks ?? {}).every(([name, check]) => check.ok || name === 'console');
}
