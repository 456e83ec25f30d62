// Operations on dead-letter topics: list what is parked there and why, and replay messages to
// their original topic once the cause is fixed. A replay consumer group remembers what it has
// replayed, so each dead letter is redelivered once; consumers' inboxes make a repeat harmless.
import { randomUUID } from 'node:crypto';
import { type IHeaders, type Kafka, Partitioners } from 'kafkajs';
import { headersAsText } from './cloud-events.ts';

export interface DeadLetter {
  partition: number;
  offset: string;
  key: string | null;
  originalTopic: string;
  error: string;
  attempts: number;
  failedAt: string;
  headers: Record<string, string>;
}

/** Reads the whole dead-letter topic without committing anything. */
export async function listDeadLetters(
  kafka: Kafka,
  deadLetterTopic: string,
  options: { timeoutMs?: number } = {},
) {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(deadLetterTopic);
  await admin.disconnect();
  const total = ends.reduce((sum, partition) => sum + (Number(partition.high) - Number(partition.low)), 0);
  const letters: DeadLetter[] = [];
  if (total === 0) return letters;
  const consumer = kafka.consumer({ groupId: `dlq-list-${randomUUID()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: deadLetterTopic, fromBeginning: true });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, options.timeoutMs ?? 15_000);
      void consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          letters.push(toDeadLetter(partition, message.offset, message.key, message.headers));
          if (letters.length >= total) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return letters;
}

function toDeadLetter(
  partition: number,
  offset: string,
  key: Buffer | null,
  headers: IHeaders | undefined,
): DeadLetter {
  const text = headersAsText(headers);
  return {
    partition,
    offset,
    key: key?.toString() ?? null,
    originalTopic: text.dlq_topic ?? '',
    error: text.dlq_error ?? '',
    attempts: Number(text.dlq_attempts ?? 0),
    failedAt: text.dlq_failed_at ?? '',
    headers: text,
  };
}

/**
 * Republishes dead letters not yet replayed to their original topics (without the dlq_ headers)
 * and returns how many. `filter` narrows which ones (by default all).
 */
export async function replayDeadLetters(
  kafka: Kafka,
  deadLetterTopic: string,
  options: { filter?: (letter: DeadLetter) => boolean; timeoutMs?: number; idleMs?: number } = {},
): Promise<number> {
  const groupId = `${deadLetterTopic}.replay`;
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(deadLetterTopic);
  const committed = await admin.fetchOffsets({ groupId, topics: [deadLetterTopic] });
  await admin.disconnect();
  const pending = ends.reduce((sum, end) => {
    const done = committed[0]?.partitions.find((p) => p.partition === end.partition)?.offset;
    const from = done && Number(done) >= 0 ? Number(done) : Number(end.low);
    return sum + Math.max(0, Number(end.high) - from);
  }, 0);
  if (pending === 0) return 0;

  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  const consumer = kafka.consumer({ groupId });
  let seen = 0;
  let replayed = 0;
  await producer.connect();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: deadLetterTopic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, options.timeoutMs ?? 30_000);
      void consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            const letter = toDeadLetter(partition, message.offset, message.key, message.headers);
            if (letter.originalTopic && (options.filter?.(letter) ?? true)) {
              const headers: IHeaders = {};
              for (const [name, value] of Object.entries(message.headers ?? {})) {
                if (!name.startsWith('dlq_') && value !== undefined) headers[name] = value;
              }
              await producer.send({
                topic: letter.originalTopic,
                acks: -1,
                messages: [{ key: message.key, value: message.value, headers }],
              });
              replayed += 1;
            }
            seen += 1;
            if (seen >= pending) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
  }
  return replayed;
}
