// A broker of a test's own, for tests that stop and restart Kafka: the shared broker that other
// test files use is never disturbed. Started by the same infra script as the shared one.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../../../infra/kafka.sh', import.meta.url));

export class PrivateBroker {
  readonly instance: string;
  readonly port: number;

  constructor(instance: string, port: number) {
    this.instance = instance;
    this.port = port;
  }

  get brokers(): string[] {
    return [`127.0.0.1:${this.port}`];
  }

  async #script(command: 'start' | 'stop' | 'reset'): Promise<void> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      KAFKA_INSTANCE: this.instance,
      KAFKA_PORT: String(this.port),
      KAFKA_CONTROLLER_PORT: String(this.port + 1),
    };
    delete env.KAFKA_BROKERS;
    await run('bash', [SCRIPT, command], { env, timeout: 300_000 });
  }

  start(): Promise<void> {
    return this.#script('start');
  }

  stop(): Promise<void> {
    return this.#script('stop');
  }

  /** Stops the broker and deletes its data. */
  destroy(): Promise<void> {
    return this.#script('reset');
  }
}
