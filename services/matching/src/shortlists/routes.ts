// HTTP for shortlists: `GET /v1/referrals/{referralId}/shortlist` answers with the latest
// version's shortlist, 404 shortlist-not-ready until the referral's events have produced one. Only
// the referral's placing authority (and ops) may read it.
import { createGunzip } from 'node:zlib';
import { shortlistCandidate, shortlistExclusion, uuid } from '@placements/contracts';
import { setEtag } from '@placements/service-kit';
import { z } from 'zod';
import type { MatchingHost } from '../config.ts';
import { matchingProblems } from '../problems.ts';

const shortlistResponse = z
  .object({
    referralId: uuid,
    referralVersion: z.number().int(),
    generatedAt: z.string(),
    homesConsidered: z.number().int(),
    exclusionCounts: z.record(z.string(), z.number().int()).describe('homes excluded by each rule'),
    candidates: z.array(z.object(shortlistCandidate.shape)).describe('every candidate, best first'),
    excluded: z
      .array(z.object(shortlistExclusion.shape))
      .describe('every excluded home with its rules, nearest first'),
  })
  .meta({ id: 'Shortlist' });

export function registerShortlistRoutes(host: MatchingHost): void {
  const stored = new StoredShortlists();
  host.app.get(
    '/v1/referrals/:referralId/shortlist',
    {
      config: { auth: { roles: ['placing-authority', 'ops'] } },
      schema: {
        tags: ['shortlists'],
        summary:
          "The latest shortlist for a referral, with each candidate's reasons and each exclusion's rules",
        params: z.strictObject({ referralId: uuid }),
        response: { 200: shortlistResponse },
      },
    },
    async (request, reply) => {
      const principal = host.principal(request);
      const { referralId } = request.params;
      // The latest version is always read from the database; only its bytes may come from memory.
      const { rows } = await host.pool.query<{ placing_la: string; referral_version: number }>(
        `SELECT placing_la, referral_version FROM shortlists
          WHERE referral_id = $1 ORDER BY referral_version DESC LIMIT 1`,
        [referralId],
      );
      const row = rows[0];
      const ops = principal.roles.includes('ops');
      if (!row) {
        const { rows: known } = await host.pool.query<{ placing_la: string }>(
          'SELECT placing_la FROM referral_snapshots WHERE referral_id = $1',
          [referralId],
        );
        const owner = known[0]?.placing_la;
        if (owner && owner !== principal.org && !ops) throw matchingProblems.referralNotFound(referralId);
        throw matchingProblems.shortlistNotReady(referralId);
      }
      if (row.placing_la !== principal.org && !ops) throw matchingProblems.referralNotFound(referralId);
      setEtag(reply, row.referral_version);
      reply.header('vary', 'accept-encoding').type('application/json; charset=utf-8');
      // Stored serialised and compressed: sent as stored when the client accepts gzip.
      const body = await stored.get(host, referralId, row.referral_version);
      if (acceptsGzip(request.headers['accept-encoding'])) {
        reply.header('content-encoding', 'gzip');
        return reply.send(body as unknown as z.infer<typeof shortlistResponse>);
      }
      // Inflated as it is written, 64 kB at a time: a view is most of a megabyte of JSON, and a
      // buffer of that size per request is memory the process holds until the next collection.
      const inflate = createGunzip({ chunkSize: 64 * 1024 });
      inflate.end(body);
      return reply.send(inflate as unknown as z.infer<typeof shortlistResponse>);
    },
  );
}

/** Whether an Accept-Encoding header admits gzip (RFC 9110 §12.5.3: `gzip` or `*`, q above 0). */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  if (!header) return false;
  for (const part of (Array.isArray(header) ? header.join(',') : header).split(',')) {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (coding !== 'gzip' && coding !== '*') continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (!q || Number(q.slice(2)) > 0) return true;
  }
  return false;
}

/**
 * The compressed bytes of recently read shortlists, by referral and version. A version's bytes
 * never change, so an entry is valid for as long as that version is the latest, which every
 * request checks first; memory is bounded by evicting the least recently used.
 */
class StoredShortlists {
  static readonly MAX_ENTRIES = 256;
  readonly #entries = new Map<string, Buffer>();

  async get(host: MatchingHost, referralId: string, version: number): Promise<Buffer> {
    const key = `${referralId}/${version}`;
    const cached = this.#entries.get(key);
    if (cached) {
      this.#entries.delete(key);
      this.#entries.set(key, cached);
      return cached;
    }
    const { rows } = await host.pool.query<{ response_gzip: Buffer }>(
      'SELECT response_gzip FROM shortlists WHERE referral_id = $1 AND referral_version = $2',
      [referralId, version],
    );
    const bytes = rows[0]!.response_gzip;
    this.#entries.set(key, bytes);
    if (this.#entries.size > StoredShortlists.MAX_ENTRIES) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
    return bytes;
  }
}
