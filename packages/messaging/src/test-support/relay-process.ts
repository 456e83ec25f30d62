// A relay in a process of its own, for the test that kills it with SIGKILL mid-batch.
// argv: <databaseUrl> <brokers> <topic> <chunkSize>
import { PostgresEventStore } from '@placements/event-store';
import pg from 'pg';
import { pino } from 'pino';
import { createKafka } from '../kafka.ts';
import { OutboxRelay } from '../relay.ts';

const [databaseUrl, brokers, topic, chunkSize] = process.argv.slice(2);
if (!databaseUrl || !brokers || !topic || !chunkSize)
  throw new Error('usage: relay-process <db> <brokers> <topic> <chunk>');
const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
const store = new PostgresEventStore({ pool });
const relay = new OutboxRelay({
  name: 'relay:test',
  store,
  lockConnectionString: databaseUrl,
  kafka: createKafka({ brokers: brokers.split(','), clientId: 'relay-process' }),
  chunkSize: Number(chunkSize),
  batchSize: 1000,
  logger: pino({ level: 'silent' }),
  route: (event) => [
    {
      topic,
      key: event.streamId,
      attributes: {
        id: event.eventId,
        source: '/test',
        type: `uk.placements.test.${event.type}.v1`,
        time: event.recordedAt.toISOString(),
      },
    },
  ],
});
relay.start();
process.stdout.write('started\n');
