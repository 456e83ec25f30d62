// The system a fault-injection scenario runs against: the four services as processes on a given
// PostgreSQL and broker (shared, or private ones a scenario may stop), the synthetic homes loaded
// through the public API (a smaller national sample than bin/up's, enough for the load), a webhook
// receiver playing the host authorities, and the ledgered client.
import { randomBytes } from 'node:crypto';
import { type GeneratedHome, generateHomes } from '@placements/synthetic-data';
import { SEED, seedReferenceData } from '../../scripts/seed.ts';
import { RunningSystem, type ServiceName, type SystemOptions, token } from '../harness.ts';
import { ApiClient, type ClientOptions } from './client.ts';
import { Ledger } from './ledger.ts';
import { WebhookReceiver } from './receiver.ts';

/** Homes loaded for a run: enough free places for a bounded load across many LAs. */
export const CHAOS_HOME_COUNT = 300;

export interface WorldOptions extends SystemOptions {
  homeCount?: number;
  client?: ClientOptions;
}

export class ChaosWorld {
  readonly system: RunningSystem;
  readonly ledger: Ledger;
  readonly client: ApiClient;
  readonly homes: GeneratedHome[];
  readonly homesByUrn: Map<string, GeneratedHome>;
  readonly receiver: WebhookReceiver;
  /** Three letters that make this run's child references unique. */
  readonly runTag: string;

  private constructor(
    system: RunningSystem,
    homes: GeneratedHome[],
    receiver: WebhookReceiver,
    options: WorldOptions,
  ) {
    this.system = system;
    this.ledger = new Ledger();
    this.client = new ApiClient(system, this.ledger, options.client);
    this.homes = homes;
    this.homesByUrn = new Map(homes.map((home) => [home.urn, home]));
    this.receiver = receiver;
    this.runTag = [...randomBytes(3)].map((byte) => String.fromCharCode(65 + (byte % 26))).join('');
  }

  static async start(options: WorldOptions): Promise<ChaosWorld> {
    const homeCount = options.homeCount ?? CHAOS_HOME_COUNT;
    const system = await RunningSystem.start({
      ...options,
      env: {
        ...options.env,
        // Loopback webhook receivers; the load's own pace is the limit, not the per-org one.
        '*': { RATE_LIMIT_PER_MINUTE: '0', ...options.env?.['*'] },
      },
    });
    let receiver: WebhookReceiver | undefined;
    try {
      await seedReferenceData({
        matchingUrl: system.url('matching'),
        opsToken: await token('ops', 'ops'),
        regulatorToken: await token('ofsted', 'regulator'),
        count: homeCount,
      });
      receiver = await WebhookReceiver.start();
      const homes = generateHomes({ count: homeCount, seed: SEED });
      const world = new ChaosWorld(system, homes, receiver, options);
      await world.#waitForHomesEverywhere();
      return world;
    } catch (error) {
      await receiver?.close();
      await system.stop();
      throw error;
    }
  }

  /** Monitoring learns of homes over Kafka; visits to a home it does not know yet would be refused. */
  async #waitForHomesEverywhere(): Promise<void> {
    const last = this.homes.at(-1);
    if (!last) return;
    const found = await this.client.poll(
      'monitoring',
      `/v1/homes/${last.urn}/reg44-visits`,
      { org: 'ops', role: 'ops' },
      (response) => (response.status === 200 ? true : undefined),
      120_000,
    );
    if (!found) throw new Error('the monitoring service did not learn of the seeded homes within 120 s');
  }

  ops(): { org: string; role: 'ops' } {
    return { org: 'ops', role: 'ops' };
  }

  /** Scrapes a service's Prometheus metrics and returns the samples of one metric. */
  async metric(service: ServiceName, name: string): Promise<{ labels: string; value: number }[]> {
    const response = await fetch(this.system.url(service, '/metrics'));
    const text = await response.text();
    const samples: { labels: string; value: number }[] = [];
    for (const line of text.split('\n')) {
      if (!line.startsWith(name)) continue;
      const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
      if (match?.[1] === name) samples.push({ labels: match[2] ?? '', value: Number(match[3]) });
    }
    return samples;
  }

  /** Log lines (pino `msg`) each service wrote with this message. */
  logged(message: string): Record<ServiceName, number> {
    const counts = {} as Record<ServiceName, number>;
    for (const [service, lines] of this.system.logs) {
      counts[service] = lines.filter((line) => line.includes(`"msg":"${message}"`)).length;
    }
    return counts;
  }

  async stop(): Promise<void> {
    await this.receiver.close();
    await this.system.stop();
  }
}
