// Where the tests' PostgreSQL and Kafka come from, in order of preference:
//   1. DATABASE_URL / KAFKA_BROKERS from the environment (CI services, a developer's own);
//   2. testcontainers, when a Docker engine answers;
//   3. the project's local infra scripts (a real server on this machine, a real KRaft broker
//      from Maven Central jars), which is what runs on machines without Docker.
// Tests never replace either with an in-memory fake.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type {} from 'vitest';

const run = promisify(execFile);
const INFRA_DIR = fileURLToPath(new URL('../../../infra/', import.meta.url));

export interface Infrastructure {
  /** Connection allowed to create databases and roles. */
  postgresAdminUrl: string;
  kafkaBrokers: string[];
  source: {
    postgres: 'environment' | 'testcontainers' | 'local';
    kafka: 'environment' | 'testcontainers' | 'local';
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** Addresses of the real PostgreSQL and Kafka, provided by global-setup.ts. */
    infra: Infrastructure;
  }
}

export interface StartedInfrastructure extends Infrastructure {
  stop(): Promise<void>;
}

async function dockerAvailable(): Promise<boolean> {
  if (process.env.TESTCONTAINERS_DISABLED === 'true') return false;
  try {
    await run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 5_000 });
    return true;
  } catch {
    return false;
  }
}

async function infraScript(script: 'postgres.sh' | 'kafka.sh', ...args: string[]): Promise<string> {
  const { stdout } = await run('bash', [`${INFRA_DIR}${script}`, ...args], {
    timeout: 300_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout.trim();
}

export async function startInfrastructure(): Promise<StartedInfrastructure> {
  const stops: (() => Promise<void>)[] = [];
  const useDocker = (!process.env.DATABASE_URL || !process.env.KAFKA_BROKERS) && (await dockerAvailable());

  let postgresAdminUrl: string;
  let postgresSource: Infrastructure['source']['postgres'];
  if (process.env.DATABASE_URL) {
    postgresAdminUrl = process.env.DATABASE_URL;
    postgresSource = 'environment';
  } else if (useDocker) {
    const { startPostgresContainer } = await import('./containers.ts');
    const started = await startPostgresContainer();
    postgresAdminUrl = started.url;
    stops.push(started.stop);
    postgresSource = 'testcontainers';
  } else {
    await infraScript('postgres.sh', 'start');
    postgresAdminUrl = await infraScript('postgres.sh', 'admin-url');
    postgresSource = 'local';
  }

  let kafkaBrokers: string[];
  let kafkaSource: Infrastructure['source']['kafka'];
  if (process.env.KAFKA_BROKERS) {
    kafkaBrokers = process.env.KAFKA_BROKERS.split(',').map((broker) => broker.trim());
    kafkaSource = 'environment';
  } else if (useDocker) {
    const { startKafkaContainer } = await import('./containers.ts');
    const started = await startKafkaContainer();
    kafkaBrokers = [started.broker];
    stops.push(started.stop);
    kafkaSource = 'testcontainers';
  } else {
    await infraScript('kafka.sh', 'start');
    kafkaBrokers = [await infraScript('kafka.sh', 'brokers')];
    kafkaSource = 'local';
  }

  return {
    postgresAdminUrl,
    kafkaBrokers,
    source: { postgres: postgresSource, kafka: kafkaSource },
    // The local broker and server are left running for the next run; containers are removed.
    stop: async () => {
      for (const stop of stops.reverse()) await stop();
    },
  };
}
