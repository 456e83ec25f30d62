// Kafka helpers for tests: unique topic names per test, and reading back what was published.
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';

export function uniqueTopic(base: string): string {
  return `test.${base}.${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

export function testKafka(brokers: string[], clientId = 'placements-test'): Kafka {
  return new Kafka({ brokers, clientId, logLevel: logLevel.NOTHING });
}

export interface ConsumedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

/**
 * Reads a topic from the beginning until `count` messages have arrived (or `timeoutMs` passes),
 * with a throwaway consumer group.
 */
export async function readMessages(
  brokers: string[],
  topic: string,
  options: { count?: number; timeoutMs?: number; idleMs?: number } = {},
): Promise<ConsumedMessage[]> {
  const kafka = testKafka(brokers);
  const consumer = kafka.consumer({ groupId: `reader-${randomBytes(6).toString('hex')}` });
  const messages: ConsumedMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve) => {
      const deadline = setTimeout(resolve, options.timeoutMs ?? 20_000);
      let idle: NodeJS.Timeout | undefined;
      const finish = () => {
        clearTimeout(deadline);
        if (idle) clearTimeout(idle);
        resolve();
      };
      void consumer.run({
        eachMessage: async ({ topic: from, partition, message }) => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(message.headers ?? {})) {
            if (value !== undefined)
              headers[name] = Array.isArray(value) ? value.join(',') : value.toString();
          }
          messages.push({
            topic: from,
            partition,
            offset: message.offset,
            key: message.key?.toString() ?? null,
            value: message.value?.toString() ?? null,
            headers,
          });
          if (options.count !== undefined && messages.length >= options.count) {
            if (options.idleMs) {
              if (idle) clearTimeout(idle);
              idle = setTimeout(finish, options.idleMs);
            } else finish();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return messages;
}
