// Helpers for services' own tests: an environment pointing a service at a test database and the
// shared broker with its own topic namespace and consumer groups, and development tokens.
import { randomBytes, randomUUID } from 'node:crypto';
import {
  cloudEventSource,
  cloudEventType,
  type IntegrationEventData,
  type IntegrationEventName,
  integrationEvents,
  type Role,
  subjectIdFor,
} from '@placements/contracts';
import type { PersonalDataCipher } from '@placements/event-store';
import { toKafkaHeaders } from '@placements/messaging';
import { type Kafka, Partitioners } from 'kafkajs';
import { issueDevToken } from './auth.ts';
import { DEV_AUDIENCE, DEV_ISSUER, DEV_JWT_SECRET } from './config.ts';

export interface TestEnvOptions {
  databaseUrl: string;
  kafkaBrokers: string[];
  /** Isolates topics and consumer groups from other test files sharing the broker. */
  namespace?: string;
  overrides?: Record<string, string>;
}

export function testNamespace(): string {
  return `t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

export function testEnv(options: TestEnvOptions): Record<string, string> {
  const namespace = options.namespace ?? testNamespace();
  return {
    NODE_ENV: 'test',
    PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: options.databaseUrl,
    KAFKA_BROKERS: options.kafkaBrokers.join(','),
    KAFKA_TOPIC_NAMESPACE: namespace,
    KAFKA_GROUP_PREFIX: `${namespace}.`,
    // Tests drive thousands of requests from one organisation; the limit has its own test.
    RATE_LIMIT_PER_MINUTE: '0',
    ...options.overrides,
  };
}

export function devToken(
  org: string,
  roles: Role | Role[],
  options: { sub?: string; ttlSeconds?: number } = {},
): Promise<string> {
  return issueDevToken({
    org,
    roles: Array.isArray(roles) ? roles : [roles],
    secret: DEV_JWT_SECRET,
    issuer: DEV_ISSUER,
    audience: DEV_AUDIENCE,
    ...options,
  });
}

/** `Authorization` header for a development token. */
export async function bearer(org: string, roles: Role | Role[]): Promise<{ authorization: string }> {
  return { authorization: `Bearer ${await devToken(org, roles)}` };
}

/**
 * Publishes an integration event onto a (namespaced) topic the way the owning service's relay
 * would, so a service's consumers can be tested without running the publisher.
 */
export async function publishIntegrationEvent<N extends IntegrationEventName>(options: {
  kafka: Kafka;
  namespace: string;
  name: N;
  data: IntegrationEventData<N>;
  cipher?: PersonalDataCipher;
  eventId?: string;
  time?: Date;
}): Promise<string> {
  const definition = integrationEvents[options.name];
  const id = options.eventId ?? randomUUID();
  let value: object = options.data as object;
  if (options.cipher && definition.personal.length > 0) {
    const data = options.data as Record<string, unknown>;
    const subject = subjectIdFor(String(data.placingLa), String(data.childRef));
    value = await options.cipher.seal(value, { subjectId: subject, fields: definition.personal });
  }
  const key = String((options.data as Record<string, unknown>)[definition.key]);
  const producer = options.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    await producer.send({
      topic: options.namespace ? `${options.namespace}.${definition.topic}` : definition.topic,
      acks: -1,
      messages: [
        {
          key,
          value: JSON.stringify(value),
          headers: toKafkaHeaders({
            id,
            source: cloudEventSource(definition.service),
            type: cloudEventType(options.name),
            time: (options.time ?? new Date()).toISOString(),
            subject: key,
          }),
        },
      ],
    });
  } finally {
    await producer.disconnect();
  }
  return id;
}
