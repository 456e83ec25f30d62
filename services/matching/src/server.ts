// Process entry of the matching service: migrate, start background work, listen; stop on SIGTERM/SIGINT.
import { runService, type ServiceHost } from '@placements/service-kit';
import { build, migrations } from './app.ts';

// runService takes a host with the base configuration; this one adds matching's own, which
// ServiceHost's generic (invariant through its route option) cannot express.
await runService(async (env) => (await build({ env })) as unknown as ServiceHost, {
  name: 'matching',
  migrations,
});
