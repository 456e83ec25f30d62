// Idempotency-Key for writes (draft-ietf-httpapi-idempotency-key-header): the first response to
// a key is stored per organisation; a retry with the same key and body gets that response again,
// the same key with a different body is refused (422), and a retry while the first request is
// still running gets 409. 5xx responses are not stored, so the client can retry them.
// A response that is personal data about a child (a route calls `personalResponse`) is stored
// sealed with that child's data key and tagged with the child's subject: erasure makes it
// unreadable at once (backups included) and the SubjectErased purge deletes the row.
import { createHash } from 'node:crypto';
import { isErased } from '@placements/contracts';
import { canonicalJson, type PersonalDataCipher } from '@placements/event-store';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { problems, sendProblem } from './problems.ts';

const REPLAYED_HEADERS = ['location', 'etag', 'content-type'];
const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: { org: string; key: string; subjectId?: string };
  }
}

/**
 * Declares the response to this request personal data about the child `subjectId` (a key-store
 * subject): if the request carries an Idempotency-Key, the stored copy is sealed with the child's
 * key and purged when the child is erased.
 */
export function personalResponse(request: FastifyRequest, subjectId: string): void {
  if (request.idempotency) request.idempotency.subjectId = subjectId;
}

/** Deletes the stored responses about an erased child. */
export async function purgeIdempotencySubject(
  client: pg.ClientBase | pg.Pool,
  subjectId: string,
): Promise<number> {
  const result = await client.query('DELETE FROM idempotency_keys WHERE subject_id = $1', [subjectId]);
  return result.rowCount ?? 0;
}

const SEALED_RESPONSE_FIELD = 'response';

export function registerIdempotency(app: FastifyInstance, pool: pg.Pool, cipher?: PersonalDataCipher): void {
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
      subject_id: string | null;
      created_at: Date;
    }>(
      'SELECT request_hash, status_code, headers, body, subject_id, created_at FROM idempotency_keys WHERE org = $1 AND idempotency_key = $2',
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
    let body = first.body ?? '';
    if (first.subject_id !== null && cipher && body) {
      const opened = (await cipher.open(JSON.parse(body) as Record<string, unknown>))[SEALED_RESPONSE_FIELD];
      if (isErased(opened) || typeof opened !== 'string') {
        return sendProblem(
          reply,
          problems.unprocessable('child-erased', 'The child’s personal data has been erased', {
            detail:
              'the first response to this key held personal data about a child who has since been erased',
          }),
          request,
        );
      }
      body = opened;
    }
    for (const [name, value] of Object.entries(first.headers ?? {})) reply.header(name, value);
    reply.header('idempotent-replayed', 'true');
    return reply.status(first.status_code).send(body);
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
    let body =
      typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : '';
    const subjectId = claim.subjectId && cipher ? claim.subjectId : null;
    if (subjectId !== null) {
      // Sealed before it is written: the plaintext response never reaches the table.
      body = JSON.stringify(
        await cipher!.seal({ [SEALED_RESPONSE_FIELD]: body }, { subjectId, fields: [SEALED_RESPONSE_FIELD] }),
      );
    }
    await pool.query(
      `UPDATE idempotency_keys SET status_code = $3, headers = $4, body = $5, subject_id = $6, completed_at = now()
        WHERE org = $1 AND idempotency_key = $2`,
      [claim.org, claim.key, reply.statusCode, headers, body, subjectId],
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
