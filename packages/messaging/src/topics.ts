// Topic provisioning at start-up (the broker's auto-create is off): each topic is created with an
// explicit partition count, together with its dead-letter topic.
import type { Kafka } from 'kafkajs';

export interface TopicSpec {
  topic: string;
  partitions: number;
}

export function deadLetterTopicOf(topic: string): string {
  return `${topic}.dlq`;
}

export async function ensureTopics(
  kafka: Kafka,
  specs: readonly TopicSpec[],
  options: { deadLetters?: boolean } = {},
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
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map(([topic, numPartitions]) => ({ topic, numPartitions, replicationFactor: -1 })),
      });
    } catch (error) {
      // Another service created some of them at the same moment: fine if they all exist now.
      const now = new Set(await admin.listTopics());
      if (missing.some(([topic]) => !now.has(topic))) throw error;
    }
    return missing.map(([topic]) => topic);
  } finally {
    await admin.disconnect();
  }
}
