// HTTP for the registry of homes (API.md, Matching service): providers maintain their own homes'
// profiles, Ofsted records registration and inspections, and every authenticated role reads.
import {
  homeProfile,
  isoDate,
  laCode,
  ofstedJudgement,
  providerId,
  registrationStatus,
  roles,
  todayInEngland,
  urn,
} from '@placements/contracts';
import { ifMatchVersion, problems, setEtag } from '@placements/service-kit';
import { z } from 'zod';
import type { MatchingHost } from '../config.ts';
import { appendAll, runCommand } from '../event-log.ts';
import { matchingProblems } from '../problems.ts';
import { decide, evolve, type HomeCommand, homeStreamId, initialHomeState } from './home.ts';
import { profileErrors } from './profile-checks.ts';
import { listHomes } from './queries.ts';
import { homeView, homeViewOf } from './view.ts';

const urnParams = z.strictObject({ urn });
const listQuery = z.strictObject({
  la: laCode.optional(),
  providerId: providerId.optional(),
  hasFreePlaces: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .optional()
    .describe('true: only homes with a free place; false: only full homes'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(20).optional().describe('nextCursor of the previous page'),
});
const homeList = z
  .object({ items: z.array(homeView), nextCursor: z.string().nullable() })
  .meta({ id: 'HomeList' });
const registrationBody = z.strictObject({ status: registrationStatus, admissionsRestricted: z.boolean() });
const inspectionBody = z.strictObject({ date: isoDate, judgement: ofstedJudgement });
const inspectionView = z
  .object({
    urn,
    date: z.string(),
    judgement: ofstedJudgement,
    ofsted: z.object({ judgement: ofstedJudgement, date: z.string() }).nullable(),
  })
  .meta({ id: 'Inspection' });

/** Loads a home, decides, appends with the version read (retried on a concurrent write). */
export async function handleHomeCommand(
  host: MatchingHost,
  homeUrn: string,
  command: HomeCommand,
  metadata: Parameters<typeof appendAll>[3],
  expectedVersion?: number,
) {
  return runCommand(host, async (client) => {
    const streamId = homeStreamId(homeUrn);
    const { state, version } = await host.store.aggregateStream(streamId, evolve, initialHomeState, {
      client,
    });
    if (expectedVersion !== undefined && expectedVersion !== version) {
      throw problems.preconditionFailed(`home ${homeUrn} is at version ${version}, not ${expectedVersion}`);
    }
    if (command.type !== 'MaintainProfile' && !state.profile) throw matchingProblems.homeNotFound(homeUrn);
    const now = host.clock();
    const events = decide(command, state, { now });
    await appendAll(host.store, client, [{ streamId, expectedVersion: version, events }], metadata, now);
    return { created: version === 0, state: events.reduce(evolve, state), version: version + events.length };
  });
}

export function registerHomeRoutes(host: MatchingHost): void {
  host.app.put(
    '/v1/homes/:urn',
    {
      config: { auth: { roles: ['provider', 'ops'] } },
      schema: {
        tags: ['homes'],
        summary: "Register or update a home's profile (provider: its own homes; ops)",
        description: '201 when the URN is new, 200 when updated. Honours If-Match (412 on a stale version).',
        params: urnParams,
        body: homeProfile,
        response: { 200: homeView, 201: homeView },
      },
    },
    async (request, reply) => {
      const principal = host.principal(request);
      const byProvider = principal.roles.includes('ops') ? null : principal.org;
      if (byProvider !== null && request.body.providerId !== byProvider)
        throw matchingProblems.providerMismatch();
      const errors = profileErrors(request.body, todayInEngland(host.clock()));
      if (errors.length > 0) throw problems.validation(errors);
      const profile = { ...request.body, postcode: request.body.postcode.trim().toUpperCase() };
      const result = await handleHomeCommand(
        host,
        request.params.urn,
        { type: 'MaintainProfile', urn: request.params.urn, profile, byProvider },
        host.metadata(request),
        ifMatchVersion(request),
      );
      setEtag(reply, result.version);
      if (result.created) reply.header('location', `/v1/homes/${request.params.urn}`);
      return reply.status(result.created ? 201 : 200).send(homeViewOf(result.state, result.version));
    },
  );

  host.app.get(
    '/v1/homes/:urn',
    {
      config: { auth: { roles } },
      schema: {
        tags: ['homes'],
        summary: 'A home with its places, registration and Ofsted judgement',
        params: urnParams,
        response: { 200: homeView },
      },
    },
    async (request, reply) => {
      const { state, version } = await host.store.aggregateStream(
        homeStreamId(request.params.urn),
        evolve,
        initialHomeState,
      );
      if (!state.profile) throw matchingProblems.homeNotFound(request.params.urn);
      setEtag(reply, version);
      return homeViewOf(state, version);
    },
  );

  host.app.get(
    '/v1/homes',
    {
      config: { auth: { roles } },
      schema: {
        tags: ['homes'],
        summary: 'The registry of homes, by local authority, provider or free places',
        querystring: listQuery,
        response: { 200: homeList },
      },
    },
    async (request) => {
      const { la, providerId: provider, hasFreePlaces, limit, cursor } = request.query;
      return listHomes(host.pool, { la, providerId: provider, hasFreePlaces, limit, after: cursor });
    },
  );

  host.app.put(
    '/v1/homes/:urn/registration',
    {
      config: { auth: { roles: ['regulator'] } },
      schema: {
        tags: ['homes'],
        summary: "Record Ofsted's registration status and admissions restriction",
        description:
          'A suspended or cancelled registration, or restricted admissions, stops new reservations.',
        params: urnParams,
        body: registrationBody,
        response: { 200: homeView },
      },
    },
    async (request, reply) => {
      const result = await handleHomeCommand(
        host,
        request.params.urn,
        { type: 'ChangeRegistration', ...request.body },
        host.metadata(request),
        ifMatchVersion(request),
      );
      setEtag(reply, result.version);
      return homeViewOf(result.state, result.version);
    },
  );

  host.app.post(
    '/v1/homes/:urn/inspections',
    {
      config: { auth: { roles: ['regulator'] } },
      schema: {
        tags: ['homes'],
        summary: 'Record an Ofsted inspection judgement',
        params: urnParams,
        body: inspectionBody,
        response: { 201: inspectionView },
      },
    },
    async (request, reply) => {
      if (request.body.date > todayInEngland(host.clock())) {
        throw problems.validation([{ path: 'body.date', message: 'an inspection cannot be in the future' }]);
      }
      const result = await handleHomeCommand(
        host,
        request.params.urn,
        { type: 'RecordInspection', ...request.body },
        host.metadata(request),
      );
      setEtag(reply, result.version);
      const current = result.state.inspections.at(-1) ?? null;
      return reply.status(201).send({ urn: request.params.urn, ...request.body, ofsted: current });
    },
  );
}
