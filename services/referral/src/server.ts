// Process entry of the referral service: migrate, start background work, listen; stop on SIGTERM/SIGINT.
import { runService } from '@placements/service-kit';
import { build, migrations } from './app.ts';

await runService((env) => build({ env }), { name: 'referral', migrations });
