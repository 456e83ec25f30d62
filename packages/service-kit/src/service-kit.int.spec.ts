import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@placements/testing';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { issueDevToken } from './auth.ts';
import { setEtag } from './concurrency.ts';
import { DEV_AUDIENCE, DEV_ISSUER, DEV_JWT_SECRET } from './config.ts';
import { createLogger } from './logging.ts';
import { ServiceHost, serviceMigrationDirs } from './service.ts';

let db: TestDatabase;
let host: ServiceHost;
let counter = 0;

const bodySchema = z.strictObject({
  name: z.string().min(1),
  age: z.number().int().min(0),
  address: z.strictObject({ postcode: z.string().regex(/^[A-Z0-9 ]+$/), town: z.string() }),
  tags: z.array(z.enum(['a', 'b'])).optional(),
});

function token(
  roles: string[],
  org = 'E09000014',
  extra: { exp?: number; secret?: string; alg?: string } = {},
) {
  if (extra.exp !== undefined || extra.secret || extra.alg) {
    return new SignJWT({ org, roles })
      .setProtectedHeader({ alg: extra.alg ?? 'HS256' })
      .setSubject('tester')
      .setIssuer(DEV_ISSUER)
      .setAudience(DEV_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(extra.exp ?? Math.floor(Date.now() / 1000) + 60)
      .sign(new TextEncoder().encode(extra.secret ?? DEV_JWT_SECRET));
  }
  return issueDevToken({
    org,
    roles: roles as never,
    secret: DEV_JWT_SECRET,
    issuer: DEV_ISSUER,
    audience: DEV_AUDIENCE,
  });
}

beforeAll(async () => {
  db = await createTestDatabase({
    adminUrl: inject('infra').postgresAdminUrl,
    migrations: serviceMigrationDirs([], { keyStore: true }),
    prefix: 'service_kit',
  });
  host = await ServiceHost.create({
    name: 'referral',
    title: 'Test service',
    description: 'service-kit test',
    env: {
      PORT: '0',
      DATABASE_URL: db.url,
      KAFKA_BROKERS: inject('infra').kafkaBrokers.join(','),
      LOG_LEVEL: 'silent',
      RUN_BACKGROUND: 'false',
    },
    migrations: [],
  });
  host.app.post(
    '/v1/things',
    {
      config: { auth: { roles: ['placing-authority'] } },
      schema: { body: bodySchema, response: { 201: z.object({ id: z.string(), n: z.number() }) } },
    },
    async (request, reply) => {
      counter += 1;
      setEtag(reply, 1);
      reply.header('location', `/v1/things/${counter}`);
      return reply.status(201).send({ id: request.body.name, n: counter });
    },
  );
  await host.start();
});

afterAll(async () => {
  await host?.stop();
  await db?.drop();
});

/** Another host on the test database, with no broker and nothing in the background. */
function otherHost(
  env: Record<string, string> = {},
  options: { logger?: ReturnType<typeof createLogger> } = {},
) {
  return ServiceHost.create({
    name: 'referral',
    title: 't',
    description: 't',
    env: {
      PORT: '0',
      DATABASE_URL: db.url,
      KAFKA_BROKERS: 'localhost:1',
      LOG_LEVEL: 'silent',
      RUN_BACKGROUND: 'false',
      ...env,
    },
    migrations: [],
    ...options,
  });
}

const good = { name: 'x', age: 3, address: { postcode: 'N17 6QA', town: 'London' } };

describe('validation', () => {
  it('lists every bad field in one problem+json response, unknown fields included', async () => {
    const response = await host.app.inject({
      method: 'POST',
      url: '/v1/things',
      headers: { authorization: `Bearer ${await token(['placing-authority'])}` },
      payload: {
        name: '',
        age: -1,
        address: { postcode: 'n17!', town: 'London', extra: 1 },
        tags: ['c'],
        surprise: true,
      },
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    const problem = response.json();
    expect(problem).toMatchObject({
      type: '/problems/validation-failed',
      status: 400,
      title: expect.any(String),
    });
    const paths = problem.errors.map((error: { path: string }) => error.path).sort();
    expect(paths).toEqual(
      [
        'body.address.extra',
        'body.address.postcode',
        'body.age',
        'body.name',
        'body.surprise',
        'body.tags.0',
      ].sort(),
    );
  });

  it('refuses a body that is not JSON with 415, and malformed JSON with 400', async () => {
    const auth = { authorization: `Bearer ${await token(['placing-authority'])}` };
    const text = await host.app.inject({
      method: 'POST',
      url: '/v1/things',
      headers: { ...auth, 'content-type': 'text/plain' },
      payload: 'hello',
    });
    expect(text.statusCode).toBe(415);
    const broken = await host.app.inject({
      method: 'POST',
      url: '/v1/things',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: '{"name":',
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().type).toBe('/problems/validation-failed');
  });

  it('refuses strings the database cannot store instead of failing', async () => {
    const response = await host.app.inject({
      method: 'POST',
      url: '/v1/things',
      headers: { authorization: `Bearer ${await token(['placing-authority'])}` },
      payload: { ...good, name: 'a\u0000b' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors[0].path).toBe('body.name');
  });
});

describe('hostile bodies', () => {
  it('refuses a body nested thousands of levels deep with a 400 naming where, not a 500', async () => {
    const headers = {
      authorization: `Bearer ${await token(['placing-authority'])}`,
      'content-type': 'application/json',
    };
    for (const payload of [
      `${'['.repeat(5_000)}${']'.repeat(5_000)}`,
      `{"name":${'{"a":'.repeat(3_000)}1${'}'.repeat(3_001)}`,
    ]) {
      const response = await host.app.inject({ method: 'POST', url: '/v1/things', headers, payload });
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json().errors[0].message).toContain('nested more than');
    }
  });
});

describe('authentication and roles', () => {
  it('answers 401 without a token, with a bad signature, an expired token or alg none', async () => {
    const missing = await host.app.inject({ method: 'POST', url: '/v1/things', payload: good });
    expect(missing.statusCode).toBe(401);
    expect(missing.headers['www-authenticate']).toBe('Bearer');
    const forged = await host.app.inject({
      method: 'POST',
      url: '/v1/things',
      headers: {
        authorization: `Bearer ${await token(['placing-authority'], 'E09000014', { secret: 'another-secret-another-secret-12345' })}`,
      },
      payload: good,
    });
    expect(forged.statusCode).toBe(401);
    const expired = await host.app.inject({
      method: 'POST',
      url: '/v1/things',
      headers: {
        authorization: `Bearer ${await token(['placing-authority'], 'E09000014', { exp: Math.floor(Date.now() / 1000) - 600 })}`,
      },
      payload: good,
    });
    expect(expired.statusCode).toBe(401);
    expect(expired.json().detail).toContain('expired');
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const claims = Buffer.from(
      JSON.stringify({
        sub: 'x',
        org: 'E09000014',
        roles: ['ops'],
        iss: DEV_ISSUER,
        aud: DEV_AUDIENCE,
        exp: Math.floor(Date.now() / 1000) + 60,
      }),
    ).toString('base64url');
    const none = await host.app.inject({
      method: 'POST',
      url: '/v1/things',
      headers: { authorization: `Bearer ${header}.${claims}.` },
      payload: good,
    });
    expect(none.statusCode).toBe(401);
  });

  it('answers 403 for a valid token without the role', async () => {
    const response = await host.app.inject({
      method: 'POST',
      url: '/v1/things',
      headers: { authorization: `Bearer ${await token(['provider'], 'P1001')}` },
      payload: good,
    });
    expect(response.statusCode).toBe(403);
    expect(response.json().type).toBe('/problems/forbidden');
  });

  it('refuses to register a route without an authorization rule', async () => {
    const other = await otherHost();
    expect(() => other.app.get('/v1/open', async () => ({}))).toThrow(/no authorization rule/);
    await other.stop();
  });
});

describe('Idempotency-Key', () => {
  it('returns the first response to a retry and refuses the key for another body', async () => {
    const key = randomUUID();
    const headers = { authorization: `Bearer ${await token(['placing-authority'])}`, 'idempotency-key': key };
    const first = await host.app.inject({ method: 'POST', url: '/v1/things', headers, payload: good });
    const second = await host.app.inject({ method: 'POST', url: '/v1/things', headers, payload: good });
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.json()).toEqual(first.json());
    expect(second.headers.location).toBe(first.headers.location);
    expect(second.headers.etag).toBe('"1"');
    expect(second.headers['idempotent-replayed']).toBe('true');
    const other = await host.app.inject({
      method: 'POST',
      url: '/v1/things',
      headers,
      payload: { ...good, name: 'y' },
    });
    expect(other.statusCode).toBe(422);
    // Another organisation's identical key is its own.
    const elsewhere = await host.app.inject({
      method: 'POST',
      url: '/v1/things',
      headers: { ...headers, authorization: `Bearer ${await token(['placing-authority'], 'E08000007')}` },
      payload: good,
    });
    expect(elsewhere.json().n).not.toBe(first.json().n);
  });
});

describe('operations endpoints', () => {
  it('serves health, OpenAPI 3.1 and metrics without a token', async () => {
    expect((await host.app.inject({ url: '/health/live' })).statusCode).toBe(200);
    const ready = await host.app.inject({ url: '/health/ready' });
    expect(ready.json().checks.database).toEqual({ ok: true });
    const openapi = (await host.app.inject({ url: '/openapi.json' })).json();
    expect(openapi.openapi).toBe('3.1.0');
    expect(openapi.paths['/v1/things'].post.security).toEqual([{ bearerAuth: [] }]);
    expect((await host.app.inject({ url: '/docs' })).statusCode).toBeLessThan(400);
    const metrics = await host.app.inject({ url: '/metrics' });
    expect(metrics.body).toContain('http_request_duration_seconds');
  });
});

describe('rate limits', () => {
  it('limits each organisation separately and answers 429 problem+json with Retry-After', async () => {
    const limited = await otherHost({ RATE_LIMIT_PER_MINUTE: '3' });
    limited.app.get('/v1/ping', { config: { auth: { roles: ['placing-authority'] } } }, async () => ({
      ok: true,
    }));
    await limited.start();
    const haringey = { authorization: `Bearer ${await token(['placing-authority'])}` };
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await limited.app.inject({ url: '/v1/ping', headers: haringey })).statusCode);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const refused = await limited.app.inject({ url: '/v1/ping', headers: haringey });
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.json().type).toBe('/problems/rate-limited');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    const stockport = { authorization: `Bearer ${await token(['placing-authority'], 'E08000007')}` };
    expect((await limited.app.inject({ url: '/v1/ping', headers: stockport })).statusCode).toBe(200);
    expect((await limited.app.inject({ url: '/health/live' })).statusCode).toBe(200);
    await limited.stop();
  });
});

describe('request logs', () => {
  it('carry the trace id of the request on every line, fastify’s own included', async () => {
    const lines: Record<string, unknown>[] = [];
    const logged = await otherHost(
      { LOG_LEVEL: 'info' },
      {
        logger: createLogger({
          service: 'referral',
          level: 'info',
          destination: { write: (line: string) => lines.push(JSON.parse(line)) },
        }),
      },
    );
    logged.app.get('/v1/ping', { config: { auth: { roles: ['placing-authority'] } } }, async (request) => {
      request.log.info('pinged');
      return { ok: true };
    });
    await logged.start();
    const traceId = randomUUID().replaceAll('-', '');
    const headers = {
      authorization: `Bearer ${await token(['placing-authority'])}`,
      traceparent: `00-${traceId}-${'1'.repeat(16)}-01`,
    };
    const first = await logged.app.inject({ url: '/v1/ping', headers });
    const second = await logged.app.inject({
      url: '/v1/ping',
      headers: { authorization: headers.authorization },
    });
    await logged.stop();
    expect(first.headers.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    const otherTrace = String(second.headers.traceparent).split('-')[1];
    expect(otherTrace).not.toBe(traceId);
    const requests = [...new Set(lines.filter((line) => line.reqId).map((line) => line.reqId))];
    expect(requests).toHaveLength(2);
    for (const [reqId, trace] of [
      [requests[0], traceId],
      [requests[1], otherTrace],
    ] as const) {
      const ofRequest = lines.filter((line) => line.reqId === reqId);
      expect(ofRequest.map((line) => line.msg)).toEqual(['incoming request', 'pinged', 'request completed']);
      for (const line of ofRequest) expect(line.trace_id).toBe(trace);
    }
  });
});
