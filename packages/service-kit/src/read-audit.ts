// The record of who read which child's data, and when: a service that shows a child's personal
// data (a referral, a history, an export) writes one row per read before anything is returned, in
// an append-only table of its own (the event store's guard triggers; the service role holds only
// INSERT and SELECT). `GET /v1/audit` answers the owning placing LA and ops, newest first.
//
// The table's shape (a service's migration creates it under its own name):
//   id bigint identity primary key, read_at timestamptz, sub text, org text, roles text[],
//   action text, placing_la text, child_ref text (null for a listing or export), detail jsonb
import { childRef as childRefSchema, laCode } from '@placements/contracts';
import type { Queryable } from '@placements/event-store';
import type pg from 'pg';
import { z } from 'zod';
import type { Principal } from './auth.ts';
import { problems } from './problems.ts';
import type { ServiceHost } from './service.ts';

export interface ChildRead {
  principal: Pick<Principal, 'sub' | 'org' | 'roles'>;
  action: string;
  placingLa: string;
  /** The child read; null for a listing or an export, whose `detail.children` names the children. */
  childRef: string | null;
  detail?: Record<string, unknown>;
  at: Date;
}

export interface ChildReadRow {
  id: number;
  at: string;
  sub: string;
  org: string;
  roles: string[];
  action: string;
  placingLa: string;
  childRef: string | null;
  detail: Record<string, unknown>;
}

const TABLE_NAME = /^[a-z_][a-z0-9_]*$/;

interface QueuedRead {
  read: ChildRead;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Most reads one group-committed statement carries. */
const GROUP_LIMIT = 500;

/** One service's read-audit table. */
export class ReadAudit {
  readonly table: string;
  /** Reads waiting for the statement in flight on each pool to finish (group commit). */
  readonly #queues = new Map<pg.Pool, QueuedRead[]>();

  constructor(table: string) {
    if (!TABLE_NAME.test(table)) throw new Error(`read-audit table name ${table} is not a plain identifier`);
    this.table = table;
  }

  /** Records reads in one statement (in the caller's transaction when given a client). */
  async record(client: Queryable, reads: readonly ChildRead[]): Promise<void> {
    if (reads.length === 0) return;
    await client.query(
      `INSERT INTO ${this.table} (read_at, sub, org, roles, action, placing_la, child_ref, detail)
       SELECT r.read_at, r.sub, r.org, r.roles, r.action, r.placing_la, r.child_ref, r.detail
         FROM jsonb_to_recordset($1::jsonb) AS r(read_at timestamptz, sub text, org text, roles text[],
              action text, placing_la text, child_ref text, detail jsonb)`,
      [
        JSON.stringify(
          reads.map((read) => ({
            read_at: read.at.toISOString(),
            sub: read.principal.sub,
            org: read.principal.org,
            roles: read.principal.roles,
            action: read.action,
            placing_la: read.placingLa,
            child_ref: read.childRef,
            detail: read.detail ?? {},
          })),
        ),
      ],
    );
  }

  /**
   * Records one read on its own (outside any transaction of the caller) and resolves once its row
   * is committed, so the answer still goes out after its record. Reads arriving while a statement
   * is in flight on the pool wait and go together in the next one: under load one INSERT carries
   * many reads instead of one round trip each. If a group fails, its reads are retried one by one,
   * so one read's failure is its own.
   */
  recordRead(pool: pg.Pool, read: ChildRead): Promise<void> {
    return new Promise((resolve, reject) => {
      const queue = this.#queues.get(pool);
      if (queue) {
        queue.push({ read, resolve, reject });
        return;
      }
      this.#queues.set(pool, [{ read, resolve, reject }]);
      void this.#drain(pool);
    });
  }

  async #drain(pool: pg.Pool): Promise<void> {
    const queue = this.#queues.get(pool)!;
    while (queue.length > 0) {
      const group = queue.splice(0, GROUP_LIMIT);
      try {
        await this.record(
          pool,
          group.map((queued) => queued.read),
        );
        for (const queued of group) queued.resolve();
      } catch (error) {
        if (group.length === 1) group[0]!.reject(error);
        else
          await Promise.all(
            group.map((queued) => this.record(pool, [queued.read]).then(queued.resolve, queued.reject)),
          );
      }
    }
    this.#queues.delete(pool);
  }

  /** Reads of one LA's children (optionally one child's, listings included), newest first, paged by id. */
  async list(
    client: Queryable,
    filter: { placingLa: string | null; childRef: string | null; before: number | null; limit: number },
  ): Promise<ChildReadRow[]> {
    const { rows } = await client.query<{
      id: string;
      read_at: Date;
      sub: string;
      org: string;
      roles: string[];
      action: string;
      placing_la: string;
      child_ref: string | null;
      detail: Record<string, unknown>;
    }>(
      `SELECT id, read_at, sub, org, roles, action, placing_la, child_ref, detail FROM ${this.table}
        WHERE ($1::text IS NULL OR placing_la = $1)
          AND ($2::text IS NULL OR child_ref = $2 OR (child_ref IS NULL AND detail->'children' ? $2))
          AND ($3::bigint IS NULL OR id < $3)
        ORDER BY id DESC LIMIT $4`,
      [filter.placingLa, filter.childRef, filter.before, filter.limit],
    );
    return rows.map((row) => ({
      id: Number(row.id),
      at: row.read_at.toISOString(),
      sub: row.sub,
      org: row.org,
      roles: row.roles,
      action: row.action,
      placingLa: row.placing_la,
      childRef: row.child_ref,
      detail: row.detail,
    }));
  }
}

/**
 * `GET /v1/audit` over a service's read-audit table: a placing LA sees the reads of its own
 * children; ops sees all and may filter by placingLa.
 */
export function registerReadAuditRoute<S extends z.ZodType<object>>(
  host: ServiceHost<S>,
  audit: ReadAudit,
  doc: { tag: string; summary: string; description: string; schemaId: string; actions: string },
): void {
  const view = z
    .object({
      items: z.array(
        z.object({
          id: z.number().int(),
          at: z.string(),
          sub: z.string(),
          org: z.string(),
          roles: z.array(z.string()),
          action: z.string().describe(doc.actions),
          placingLa: z.string(),
          childRef: z.string().nullable(),
          detail: z.record(z.string(), z.unknown()),
        }),
      ),
      nextCursor: z.string().nullable(),
    })
    .meta({ id: doc.schemaId });
  host.app.get(
    '/v1/audit',
    {
      config: { auth: { roles: ['placing-authority', 'ops'] } },
      schema: {
        tags: [doc.tag],
        summary: doc.summary,
        description: doc.description,
        querystring: z.strictObject({
          placingLa: laCode.optional(),
          childRef: childRefSchema.optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
          cursor: z
            .string()
            .regex(/^\d{1,18}$/, 'must be a cursor from a previous page')
            .optional(),
        }),
        response: { 200: view },
      },
    },
    async (request) => {
      const principal = host.principal(request);
      const query = request.query;
      let placingLa = query.placingLa ?? null;
      if (!principal.roles.includes('ops')) {
        if (placingLa !== null && placingLa !== principal.org)
          throw problems.forbidden('a placing authority sees the reads of its own children only');
        placingLa = principal.org;
      }
      const items = await audit.list(host.pool, {
        placingLa,
        childRef: query.childRef ?? null,
        before: query.cursor ? Number(query.cursor) : null,
        limit: query.limit,
      });
      return { items, nextCursor: items.length === query.limit ? String(items.at(-1)!.id) : null };
    },
  );
}
