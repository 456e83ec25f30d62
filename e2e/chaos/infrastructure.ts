// PostgreSQL and Kafka for fault-injection runs. Scenarios that only kill service processes use the
// machine's shared server and broker; scenarios that stop the broker or restart PostgreSQL get a
// private broker and a private cluster of their own (infra/kafka.sh KAFKA_INSTANCE,
// infra/postgres.sh PG_FORCE_PRIVATE/PG_INSTANCE), so nothing else on the machine is disturbed.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ensureTestRole, PrivateBroker } from '@placements/testing';
import type { Infrastructure } from './scenario.ts';

const run = promisify(execFile);
const INFRA = fileURLToPath(new URL('../../infra/', import.meta.url));

async function script(name: 'postgres.sh' | 'kafka.sh', args: string[], env: NodeJS.ProcessEnv = {}) {
  const { stdout } = await run('bash', [`${INFRA}${name}`, ...args], {
    env: { ...process.env, ...env },
    timeout: 300_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout.trim();
}

/** The shared server and broker (environment first, else the local infra scripts). */
export async function sharedInfrastructure(): Promise<Infrastructure> {
  let postgresAdminUrl = process.env.DATABASE_URL;
  if (!postgresAdminUrl) {
    await script('postgres.sh', ['start']);
    postgresAdminUrl = await script('postgres.sh', ['admin-url']);
  }
  let kafkaBrokers = process.env.KAFKA_BROKERS?.split(',').map((broker) => broker.trim());
  if (!kafkaBrokers) {
    await script('kafka.sh', ['start']);
    kafkaBrokers = [await script('kafka.sh', ['brokers'])];
  }
  await ensureTestRole(postgresAdminUrl);
  return { postgresAdminUrl, kafkaBrokers };
}

/** A PostgreSQL cluster of a scenario's own, which it may stop, start and restart. */
export class PrivateCluster {
  readonly instance: string;
  readonly port: number;

  constructor(instance: string, port: number) {
    this.instance = instance;
    this.port = port;
  }

  get #env(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {
      PG_FORCE_PRIVATE: 'true',
      PG_INSTANCE: this.instance,
      PG_PRIVATE_PORT: String(this.port),
    };
    return env;
  }

  get adminUrl(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  async start(): Promise<string> {
    const env = { ...this.#env, DATABASE_URL: '' };
    await script('postgres.sh', ['start'], env);
    await ensureTestRole(this.adminUrl);
    return this.adminUrl;
  }

  async stop(): Promise<void> {
    await script('postgres.sh', ['stop'], { ...this.#env, DATABASE_URL: '' });
  }

  async restart(): Promise<void> {
    await script('postgres.sh', ['restart'], { ...this.#env, DATABASE_URL: '' });
  }
}

/** A broker of a scenario's own (started empty, removed afterwards). */
export function privateBroker(instance: string, port: number): PrivateBroker {
  return new PrivateBroker(instance, port);
}
