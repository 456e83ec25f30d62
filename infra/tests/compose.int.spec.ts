// The ops team's compose file is validated by a real compose implementation (`docker-compose
// config` parses, interpolates and checks it without a Docker engine), and kept in step with the
// local infrastructure: the same Kafka version, every service with a healthcheck-gated start.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SERVICE_ENV, serviceNodeFlags } from '../../packages/service-kit/src/runtime.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function compose(...args: string[]): string {
  return execFileSync('docker-compose', ['-f', `${ROOT}docker-compose.yml`, ...args], {
    cwd: ROOT,
    env: { ...process.env, COMPOSE_PROJECT_NAME: 'placements' },
  }).toString();
}

describe('docker-compose.yml', () => {
  it('is valid for docker-compose and names the four services, PostgreSQL and Kafka', () => {
    expect(() => compose('config', '-q')).not.toThrow();
    expect(compose('config', '--services').trim().split('\n').sort()).toEqual(
      ['kafka', 'matching', 'monitoring', 'notification', 'postgres', 'referral'].sort(),
    );
  });

  it('runs the same Kafka version as the local broker and gates services on healthy dependencies', () => {
    const pom = readFileSync(`${ROOT}infra/kafka/pom.xml`, 'utf8');
    const version = /<kafka\.version>([^<]+)</.exec(pom)?.[1];
    const config = compose('config');
    expect(config).toContain(`image: apache/kafka:${version}`);
    for (const service of ['referral', 'matching', 'notification', 'monitoring']) {
      const block = config.slice(config.indexOf(`  ${service}:\n`));
      expect(block).toMatch(/condition: service_healthy/);
      expect(block).toContain(`SERVICE: ${service}`);
    }
  });

  it('starts each service with the same V8 heap settings as bin/up and the tests', () => {
    const dockerfile = readFileSync(`${ROOT}Dockerfile`, 'utf8');
    const cmd = dockerfile.split('\n').find((line) => line.startsWith('CMD '));
    // The shell in the image expands it; compose sets it per service.
    expect(cmd).toMatch(/exec node \$\{NODE_HEAP_FLAGS\} services\//);
    for (const [name, value] of Object.entries(SERVICE_ENV)) expect(dockerfile).toContain(`${name}=${value}`);
    // The image writes Node's compile cache at build into the directory the service runs with.
    const warmed =
      /RUN NODE_COMPILE_CACHE=(\S+) node services\/\$\{SERVICE\}\/src\/server\.ts --compile-only/.exec(
        dockerfile,
      );
    expect(warmed?.[1]).toBeDefined();
    expect(dockerfile).toContain(`NODE_COMPILE_CACHE=${warmed?.[1]} \\`);
    const config = compose('config');
    for (const service of ['referral', 'matching', 'notification', 'monitoring']) {
      const block = config.slice(config.indexOf(`  ${service}:\n`));
      // A long value is folded onto indented continuation lines.
      const flags = /NODE_HEAP_FLAGS: (.+(?:\n {8,}\S.*)*)/.exec(block)?.[1]?.replace(/\s+/g, ' ').trim();
      expect(flags).toBe(serviceNodeFlags(service).join(' '));
    }
  });
});
