// The four services start as processes against the real database and broker, become ready, and
// publish documents that maintained validators accept: OpenAPI 3.1 (a JSON Schema validator for
// the OpenAPI specification) and AsyncAPI 3 (the official parser).
import { Parser } from '@asyncapi/parser';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RunningSystem, SERVICE_NAMES } from './harness.ts';

let system: RunningSystem;

beforeAll(async () => {
  const infra = inject('infra');
  system = await RunningSystem.start({
    postgresAdminUrl: infra.postgresAdminUrl,
    kafkaBrokers: infra.kafkaBrokers,
  });
});

afterAll(async () => {
  await system?.stop();
});

describe('the platform', () => {
  it.each(SERVICE_NAMES)('%s serves a valid OpenAPI 3.1 document and Swagger UI', async (service) => {
    const response = await system.call<Record<string, unknown>>(service, 'GET', '/openapi.json');
    expect(response.status).toBe(200);
    expect(response.body.openapi).toBe('3.1.0');
    const result = await new Validator().validate(response.body);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect((await system.call(service, 'GET', '/docs')).status).toBeLessThan(400);
  });

  it.each(SERVICE_NAMES)('%s serves the AsyncAPI 3 document of every topic', async (service) => {
    const response = await system.call(service, 'GET', '/asyncapi.json');
    const { diagnostics } = await new Parser().parse(response.text);
    expect(diagnostics.filter((diagnostic) => diagnostic.severity === 0)).toEqual([]);
  });

  it.each(SERVICE_NAMES)(
    '%s reports its dependencies ready and exposes Prometheus metrics',
    async (service) => {
      const ready = await system.call<{ status: string; checks: Record<string, { ok: boolean }> }>(
        service,
        'GET',
        '/health/ready',
      );
      expect(ready.body.status).toBe('ready');
      expect(ready.body.checks.database?.ok).toBe(true);
      expect(ready.body.checks.kafka?.ok).toBe(true);
      const metrics = await system.call(service, 'GET', '/metrics');
      expect(metrics.text).toContain('process_cpu_seconds_total');
      expect(metrics.text).toContain('outbox_relay');
      expect(metrics.text).toContain('event_store_events_behind_horizon');
      expect(metrics.text).toContain('http_request_duration_seconds');
    },
  );

  it('exposes the statutory measures ops watch', async () => {
    expect((await system.call('notification', 'GET', '/metrics')).text).toContain(
      'webhook_deliveries_pending',
    );
    expect((await system.call('monitoring', 'GET', '/metrics')).text).toContain(
      '# HELP reg44_visits_overdue_homes',
    );
  });
});
