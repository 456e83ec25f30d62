// Topic provisioning at start-up (the broker's auto-create is off): each topic is created with an
// explicit partition count, together with its dead-letter topic.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, Kafka } from 'kafkajs';

export interface TopicSpec {
  topic: string;
  partitions: number;
}

export function deadLetterTopicOf(topic: string): string {
  return `${topic}.dlq`;
}

/** Errors a KRaft broker answers while a topic it has just created is still reaching its metadata cache. */
const PROPAGATING = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE']);

export async function ensureTopics(
  kafka: Kafka,
  specs: readonly TopicSpec[],
  options: { deadLetters?: boolean; timeoutMs?: number } = {},
) {
  const wanted = new Map<string, number>();
  for (const spec of specs) {
    wanted.set(spec.topic, spec.partitions);
    if (options.deadLetters ?? true) wanted.set(deadLetterTopicOf(spec.topic), 1);
  }
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = [...wanted].filter(([topic]) => !existing.has(topic));
    if (missing.length === 0) return [];
    try {
      // kafkajs's own wait for leaders gives up on UNKNOWN_TOPIC_OR_PARTITION, which a KRaft broker
      // answers for a moment after the controller accepted the topic: wait here instead.
      await admin.createTopics({
        waitForLeaders: false,
        topics: missing.map(([topic, numPartitions]) => ({ topic, numPartitions, replicationFactor: -1 })),
      });
    } catch (error) {
      // Another service created some of them at the same moment: fine if they all exist now.
      const now = new Set(await admin.listTopics());
      if (missing.some(([topic]) => !now.has(topic))) throw error;
    }
    await waitForLeaders(admin, new Map(missing), options.timeoutMs ?? 30_000);
    return missing.map(([topic]) => topic);
  } finally {
    await admin.disconnect();
  }
}

/** Resolves once every partition of every topic has a leader, so producers and consumers can use them. */
async function waitForLeaders(admin: Admin, topics: ReadonlyMap<string, number>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: [...topics.keys()] });
      const ready = metadata.topics.every(
        ({ name, partitions }) =>
          partitions.length >= (topics.get(name) ?? 1) && partitions.every((p) => p.leader >= 0),
      );
      if (ready && metadata.topics.length === topics.size) return;
    } catch (error) {
      if (!PROPAGATING.has((error as { type?: string }).type ?? '')) throw error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for leaders of ${[...topics.keys()].join(', ')}`,
      );
    }
    await sleep(100);
  }
}
