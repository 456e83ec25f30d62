// Idempotency-Key for writes (draft-ietf-httpapi-idempotency-key-header): the first response to
// a key is stored per organisation; a retry with the same key and body gets that response again,
// the same key with a different body is refused (422), and a retry while the first request is
// still running gets 409. 5xx responses are not stored, so the client can retry them.
import { createHash } from 'node:crypto';
import { canonicalJson } from '@placements/event-store';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { problems, sendProblem } from './problems.ts';

const REPLAYED_HEADERS = ['location', 'etag', 'content-type'];
const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: { org: string; key: string };
  }
}

export function registerIdempotency(app: FastifyInstance, pool: pg.Pool): void {
  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!['POST', 'PUT', 'PATCH', 'DELETE'].includes(request.method)) return;
    const header = request.headers['idempotency-key'];
    if (header === undefined) return;
    const key = Array.isArray(header) ? header[0] : header;
    if (!key || !KEY_FORMAT.test(key)) {
      throw problems.validation([
        { path: 'header.idempotency-key', message: 'must be 1–255 visible ASCII characters' },
      ]);
    }
    const org = request.principal?.org ?? 'anonymous';
    const path = request.url.split('?')[0] ?? request.url;
    const hash = createHash('sha256')
      .update(`${request.method} ${path}\n${request.body === undefined ? '' : canonicalJson(request.body)}`)
      .digest('hex');
    const inserted = await pool.query(
      `INSERT INTO idempotency_keys (org, idempotency_key, method, path, request_hash)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (org, idempotency_key) DO NOTHING`,
      [org, key, request.method, path, hash],
    );
    if (inserted.rowCount === 1) {
      request.idempotency = { org, key };
      return;
    }
    const { rows } = await pool.query<{
      request_hash: string;
      status_code: number | null;
      headers: Record<string, string> | null;
      body: string | null;
      created_at: Date;
    }>(
      'SELECT request_hash, status_code, headers, body, created_at FROM idempotency_keys WHERE org = $1 AND idempotency_key = $2',
      [org, key],
    );
    const first = rows[0];
    if (!first)
      throw problems.conflict(
        'idempotency-key-in-progress',
        'A request with this Idempotency-Key is in progress',
      );
    if (first.request_hash !== hash) {
      return sendProblem(
        reply,
        problems.unprocessable('idempotency-key-reused', 'Idempotency-Key reused for a different request', {
          detail:
            'this key was first used with another method, path or body; use a new key for a new request',
        }),
        request,
      );
    }
    if (first.status_code === null) {
      return sendProblem(
        reply,
        problems.conflict(
          'idempotency-key-in-progress',
          'A request with this Idempotency-Key is in progress',
          {
            headers: { 'retry-after': '1' },
          },
        ),
        request,
      );
    }
    for (const [name, value] of Object.entries(first.headers ?? {})) reply.header(name, value);
    reply.header('idempotent-replayed', 'true');
    return reply.status(first.status_code).send(first.body ?? '');
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const claim = request.idempotency;
    if (!claim) return payload;
    request.idempotency = undefined;
    if (reply.statusCode >= 500) {
      await pool.query('DELETE FROM idempotency_keys WHERE org = $1 AND idempotency_key = $2', [
        claim.org,
        claim.key,
      ]);
      return payload;
    }
    const headers: Record<string, string> = {};
    for (const name of REPLAYED_HEADERS) {
      const value = reply.getHeader(name);
      if (value !== undefined) headers[name] = String(value);
    }
    const body =
      typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : '';
    await pool.query(
      `UPDATE idempotency_keys SET status_code = $3, headers = $4, body = $5, completed_at = now()
        WHERE org = $1 AND idempotency_key = $2`,
      [claim.org, claim.key, reply.statusCode, headers, body],
    );
    return payload;
  });

  // A request that failed before onSend (connection lost) must not leave its key blocked.
  app.addHook('onResponse', async (request) => {
    const claim = request.idempotency;
    if (!claim) return;
    await pool
      .query('DELETE FROM idempotency_keys WHERE org = $1 AND idempotency_key = $2 AND status_code IS NULL', [
        claim.org,
        claim.key,
      ])
      .catch(() => undefined);
  });
}

/** Removes stored responses older than the retention period (run on a schedule). */
export async function purgeIdempotencyKeys(pool: pg.Pool, retentionHours = 24): Promise<number> {
  const result = await pool.query(
    `DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1)`,
    [retentionHours],
  );
  return result.rowCount ?? 0;
}
