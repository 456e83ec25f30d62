// Process entry of the monitoring service: migrate, start background work, listen; stop on SIGTERM/SIGINT.
import { runService } from '@placements/service-kit';
import { build, migrations } from './app.ts';

await runService((env) => build({ env }), { name: 'monitoring', migrations });
