// Where the readers stand, for operators and fault-injection runs: an outbox relay's checkpoint
// against its log's head (events written but not yet published), and consumer groups' committed
// offsets against the end of each partition (lag).
import { type LogPosition, PostgresEventStore, readCheckpoint } from '@placements/event-store';
import type { Kafka } from 'kafkajs';
import pg from 'pg';

export interface RelayPosition {
  relay: string;
  checkpoint: LogPosition;
  head: LogPosition;
  /** Events below the read horizon the relay has not passed yet. */
  unpublished: number;
  /** Committed events readers cannot see yet because an older transaction is still open. */
  behindHorizon: number;
  oldestOpenTransactionSeconds: number;
}

/** The relay's checkpoint against the head of the log (below the read horizon). */
export async function relayPosition(store: PostgresEventStore, relay: string): Promise<RelayPosition> {
  const checkpoint = await readCheckpoint(store.pool, relay);
  const horizon = await store.horizon();
  const { rows } = await store.pool.query<{ unpublished: string }>(
    `SELECT count(*) AS unpublished FROM events
      WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
        AND transaction_id < (SELECT es_read_horizon())`,
    [checkpoint.transactionId, checkpoint.globalPosition],
  );
  return {
    relay,
    checkpoint,
    head: horizon.head,
    unpublished: Number(rows[0]?.unpublished ?? 0),
    behindHorizon: horizon.pendingBehindHorizon,
    oldestOpenTransactionSeconds: horizon.oldestOpenSeconds,
  };
}

/** {@link relayPosition} of the relay of the service whose database this is. */
export async function relayPositionOf(databaseUrl: string, relay: string): Promise<RelayPosition> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  pool.on('error', () => undefined);
  try {
    return await relayPosition(new PostgresEventStore({ pool }), relay);
  } finally {
    await pool.end();
  }
}

export interface PartitionLag {
  partition: number;
  /** Next offset the group will read (the partition's start when it has committed nothing). */
  committed: number;
  end: number;
  lag: number;
}

export interface GroupLag {
  groupId: string;
  state: string;
  members: number;
  topics: { topic: string; lag: number; partitions: PartitionLag[] }[];
  lag: number;
}

/**
 * Lag of the consumer groups whose id starts with `prefix` (or that `select` picks), over the
 * topics each has committed offsets for.
 */
export async function consumerGroupLag(
  kafka: Kafka,
  select: string | ((groupId: string) => boolean) = '',
): Promise<GroupLag[]> {
  const picks = typeof select === 'string' ? (id: string) => id.startsWith(select) : select;
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.listGroups();
    const ids = groups
      .map((group) => group.groupId)
      .filter(picks)
      .sort();
    if (ids.length === 0) return [];
    const described = await admin.describeGroups(ids);
    const ends = new Map<string, Awaited<ReturnType<typeof admin.fetchTopicOffsets>>>();
    const result: GroupLag[] = [];
    for (const groupId of ids) {
      const description = described.groups.find((group) => group.groupId === groupId);
      const committed = await admin.fetchOffsets({ groupId });
      const topics: GroupLag['topics'] = [];
      for (const { topic, partitions } of committed) {
        let end = ends.get(topic);
        if (!end) {
          end = await admin.fetchTopicOffsets(topic);
          ends.set(topic, end);
        }
        const lags = end.map((partition) => {
          const offset = Number(partitions.find((p) => p.partition === partition.partition)?.offset ?? -1);
          const from = offset >= 0 ? offset : Number(partition.low);
          const high = Number(partition.high);
          return {
            partition: partition.partition,
            committed: from,
            end: high,
            lag: Math.max(0, high - from),
          };
        });
        topics.push({ topic, lag: lags.reduce((sum, p) => sum + p.lag, 0), partitions: lags });
      }
      result.push({
        groupId,
        state: description?.state ?? 'Unknown',
        members: description?.members.length ?? 0,
        topics,
        lag: topics.reduce((sum, topic) => sum + topic.lag, 0),
      });
    }
    return result;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Moves every partition of the groups' topics back to the start, so the groups consume everything
 * again (the groups must have no running members). Returns how many messages each group will
 * be handed again.
 */
export async function rewindConsumerGroups(
  kafka: Kafka,
  groupIds: readonly string[],
): Promise<Record<string, number>> {
  const before = await consumerGroupLag(kafka, (id) => groupIds.includes(id));
  const admin = kafka.admin();
  await admin.connect();
  const rewound: Record<string, number> = {};
  try {
    for (const groupId of groupIds) {
      const group = before.find((g) => g.groupId === groupId);
      if (!group) continue;
      if (group.members > 0)
        throw new Error(`consumer group ${groupId} has running members; stop them first`);
      let again = 0;
      for (const topic of group.topics) {
        await admin.resetOffsets({ groupId, topic: topic.topic, earliest: true });
        const ends = await admin.fetchTopicOffsets(topic.topic);
        for (const partition of topic.partitions) {
          const low = Number(ends.find((end) => end.partition === partition.partition)?.low ?? 0);
          again += Math.max(0, partition.committed - low);
        }
      }
      rewound[groupId] = again;
    }
  } finally {
    await admin.disconnect();
  }
  return rewound;
}
