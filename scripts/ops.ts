// Operator commands for a running deployment (the same environment bin/up uses):
//
//   node scripts/ops.ts dlq list <topic>       what is parked on <topic>.dlq, with each error
//   node scripts/ops.ts dlq replay <topic>     republish dead letters not replayed before to <topic>
//   node scripts/ops.ts positions              each relay's checkpoint against its log head, and each
//                                              consumer group's committed offsets against the partition ends
//   node scripts/ops.ts rebuild <service>      empty and replay the service's projections from zero
//
// <topic> is a topic's base name (placements.referral.v1), optionally with .dlq. Options:
// --namespace <ns> (else KAFKA_TOPIC_NAMESPACE) for deployments that namespace their topics and
// consumer groups, --brokers <list> (else KAFKA_BROKERS, else 127.0.0.1:9092), --json for machine-
// readable output. Databases come from <SERVICE>_DATABASE_URL (as `infra/postgres.sh env` exports
// them); `rebuild` also takes DATABASE_URL and the service's other settings from the environment.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { type ServiceName, services } from '@placements/contracts';
import { migrateService } from '@placements/service-kit';
import {
  consumerGroupLag,
  createKafka,
  deadLetterTopicOf,
  listDeadLetters,
  relayPositionOf,
  replayDeadLetters,
} from '../packages/messaging/src/index.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const USAGE = `usage:
  node scripts/ops.ts dlq list <topic>
  node scripts/ops.ts dlq replay <topic>
  node scripts/ops.ts positions
  node scripts/ops.ts rebuild <service>
options: --namespace <ns>  --brokers <host:port,...>  --json`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    namespace: { type: 'string' },
    brokers: { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

const namespace = values.namespace ?? process.env.KAFKA_TOPIC_NAMESPACE ?? '';
const brokers = (values.brokers ?? process.env.KAFKA_BROKERS ?? '127.0.0.1:9092')
  .split(',')
  .map((broker) => broker.trim())
  .filter(Boolean);

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

/** The deployment's name for a topic given by its base name (with or without `.dlq`). */
function topicName(given: string | undefined): string {
  if (!given) fail(USAGE);
  const base = given.endsWith('.dlq') ? given.slice(0, -'.dlq'.length) : given;
  return namespace && !base.startsWith(`${namespace}.`) ? `${namespace}.${base}` : base;
}

function print(json: unknown, lines: string[]): void {
  if (values.json) console.log(JSON.stringify(json, null, 2));
  else for (const line of lines) console.log(line);
}

function kafka() {
  return createKafka({ brokers, clientId: 'placements-ops' });
}

function serviceName(given: string | undefined): ServiceName {
  if (!given || !(services as readonly string[]).includes(given))
    fail(`name a service: ${services.join(', ')}`);
  return given as ServiceName;
}

/** A service's own environment: bin/up's <SERVICE>_* variables, else the plain ones. */
function serviceEnv(service: ServiceName): Record<string, string | undefined> {
  const upper = service.toUpperCase();
  const env = process.env;
  return {
    ...env,
    DATABASE_URL: env[`${upper}_DATABASE_URL`] ?? env.DATABASE_URL,
    MIGRATION_DATABASE_URL: env[`${upper}_MIGRATION_DATABASE_URL`] ?? env.MIGRATION_DATABASE_URL,
    KEYSTORE_DATABASE_URL: env[`${upper}_KEYSTORE_DATABASE_URL`] ?? env.KEYSTORE_DATABASE_URL,
    KAFKA_BROKERS: brokers.join(','),
    ...(namespace ? { KAFKA_TOPIC_NAMESPACE: namespace } : {}),
    RUN_BACKGROUND: 'false',
    // One-off commands serve nothing: no web console (monitoring).
    CONSOLE: 'off',
    PORT: env.PORT ?? '0',
    // The service's logs share stdout with the command's output.
    LOG_LEVEL: values.json ? 'silent' : (env.LOG_LEVEL ?? 'warn'),
  };
}

async function dlq(action: string | undefined, given: string | undefined): Promise<void> {
  const topic = topicName(given);
  const deadLetters = deadLetterTopicOf(topic);
  if (action === 'list') {
    const letters = await listDeadLetters(kafka(), deadLetters);
    print(
      { topic: deadLetters, letters },
      letters.length === 0
        ? [`${deadLetters}: empty`]
        : [
            `${deadLetters}: ${letters.length} dead letter(s)`,
            ...letters.map(
              (letter) =>
                `  ${letter.partition}/${letter.offset}  ${letter.failedAt}  ${letter.headers.ce_type ?? '?'} ${letter.headers.ce_id ?? '?'}` +
                `  key ${letter.key ?? '-'}  after ${letter.attempts} attempt(s) in ${letter.headers.dlq_group ?? '?'}: ${letter.error}`,
            ),
          ],
    );
    return;
  }
  if (action === 'replay') {
    const replayed = await replayDeadLetters(kafka(), deadLetters);
    print({ topic: deadLetters, replayed }, [
      `${replayed} dead letter(s) republished from ${deadLetters} to ${topic}`,
    ]);
    return;
  }
  fail(USAGE);
}

async function positions(): Promise<void> {
  const relays = [];
  for (const service of services) {
    const url = process.env[`${service.toUpperCase()}_DATABASE_URL`];
    if (!url) continue;
    try {
      relays.push({ service, ...(await relayPositionOf(url, `relay:${service}`)) });
    } catch (error) {
      relays.push({ service, error: error instanceof Error ? error.message : String(error) });
    }
  }
  const prefix = process.env.KAFKA_GROUP_PREFIX ?? (namespace ? `${namespace}.` : '');
  const groups = await consumerGroupLag(kafka(), prefix);
  const lines: string[] = ['relays (checkpoint → head of the log below the read horizon):'];
  if (relays.length === 0)
    lines.push('  no <SERVICE>_DATABASE_URL set (eval "$(bash infra/postgres.sh env)")');
  for (const relay of relays) {
    if ('error' in relay) lines.push(`  ${relay.service.padEnd(13)} unavailable: ${relay.error}`);
    else
      lines.push(
        `  ${relay.service.padEnd(13)} at ${relay.checkpoint.globalPosition}, head ${relay.head.globalPosition}, ` +
          `${relay.unpublished} unpublished, ${relay.behindHorizon} behind an open transaction ` +
          `(oldest ${relay.oldestOpenTransactionSeconds.toFixed(1)} s)`,
      );
  }
  lines.push('consumer groups (committed → end of partition):');
  for (const group of groups) {
    lines.push(`  ${group.groupId} (${group.state}, ${group.members} member(s)): lag ${group.lag}`);
    for (const topic of group.topics)
      lines.push(
        `    ${topic.topic}: lag ${topic.lag}  [${topic.partitions.map((p) => `${p.partition}:${p.committed}/${p.end}`).join(' ')}]`,
      );
  }
  print({ relays, groups }, lines);
}

interface Rebuildable {
  build(options: { env: Record<string, string | undefined> }): Promise<{
    rebuildProjections(): Promise<Record<string, number>>;
    stop(): Promise<void>;
  }>;
  migrations: readonly string[];
}

async function rebuild(given: string | undefined): Promise<void> {
  const service = serviceName(given);
  const env = serviceEnv(service);
  if (!env.DATABASE_URL) fail(`set ${service.toUpperCase()}_DATABASE_URL (or DATABASE_URL)`);
  const app = (await import(pathToFileURL(`${ROOT}services/${service}/src/app.ts`).href)) as Rebuildable;
  await migrateService(service, env, app.migrations);
  const host = await app.build({ env });
  const started = Date.now();
  try {
    const counts = await host.rebuildProjections();
    const seconds = (Date.now() - started) / 1000;
    print({ service, projections: counts, seconds }, [
      ...Object.entries(counts).map(([name, events]) => `${name}: ${events} events replayed`),
      `${service}: projections rebuilt in ${seconds.toFixed(1)} s`,
    ]);
  } finally {
    await host.stop();
  }
}

const [command, ...rest] = positionals;
if (values.help || !command) {
  console.log(USAGE);
  process.exit(command ? 0 : 2);
}
try {
  if (command === 'dlq') await dlq(rest[0], rest[1]);
  else if (command === 'positions') await positions();
  else if (command === 'rebuild') await rebuild(rest[0]);
  else fail(USAGE);
  process.exit(0);
} catch (error) {
  console.error(`${command} failed: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}
