// Rebuilds the monitoring read models from zero: empties them and replays the whole event log (the
// children's histories, received home events and this service's own facts). Safe while the service
// runs: each batch and its checkpoint commit together under the projection's lock.
//   node services/monitoring/src/cli/rebuild.ts        (uses DATABASE_URL and the service's other settings)
import { migrateService } from '@placements/service-kit';
import { build, migrations } from '../app.ts';

const env = {
  ...process.env,
  RUN_BACKGROUND: 'false',
  CONSOLE: 'off',
  KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
};
await migrateService('monitoring', env, migrations);
const host = await build({ env });
const started = Date.now();
try {
  const counts = await host.rebuildProjections();
  const seconds = (Date.now() - started) / 1000;
  for (const [name, events] of Object.entries(counts)) console.log(`${name}: ${events} events replayed`);
  console.log(`rebuilt in ${seconds.toFixed(1)} s`);
} finally {
  await host.stop();
}
