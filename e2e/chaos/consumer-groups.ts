// The running system's consumer groups on its broker: waiting until they have consumed everything,
// and rewinding them to the start of their topics (through the messaging package's positions).
import {
  consumerGroupLag,
  createKafka,
  type GroupLag,
  rewindConsumerGroups,
} from '../../packages/messaging/src/index.ts';
import type { RunningSystem } from '../harness.ts';
import { sleep } from './client.ts';

export function kafkaOf(brokers: string[]): ReturnType<typeof createKafka> {
  return createKafka({ brokers, clientId: 'placements-chaos' });
}

/** The system's groups and their lag. */
export async function systemGroups(system: RunningSystem, brokers: string[]): Promise<GroupLag[]> {
  return consumerGroupLag(kafkaOf(brokers), system.consumerGroupPrefix);
}

/** Waits until every group of the system has committed up to the end of its topics. */
export async function waitForGroupsCaughtUp(
  system: RunningSystem,
  brokers: string[],
  timeoutMs: number,
): Promise<GroupLag[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const groups = await systemGroups(system, brokers);
    if (groups.length > 0 && groups.every((group) => group.lag === 0)) return groups;
    if (Date.now() > deadline) return groups;
    await sleep(1_000);
  }
}

/** Rewinds every group of the (stopped) system; returns messages each will be handed again. */
export async function rewindSystemGroups(
  system: RunningSystem,
  brokers: string[],
): Promise<Record<string, number>> {
  const groups = await systemGroups(system, brokers);
  return rewindConsumerGroups(
    kafkaOf(brokers),
    groups.map((group) => group.groupId),
  );
}
