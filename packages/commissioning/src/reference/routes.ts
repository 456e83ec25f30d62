// HTTP: reference data the console and analysts need alongside the figures: who the caller is and
// which views apply, the LAs with their centres (for maps) and regions, the consortia, and the
// unit costs with their sources.
import { localAuthorities, type Role, regions } from '@placements/contracts';
import { z } from 'zod';
import { analystRoles, viewerOf } from '../access/viewer.ts';
import { type CommissioningContext, todayFor } from '../context.ts';
import { laName } from '../geography.ts';
import { unitCostsSchema } from './unit-costs.ts';

const readerRoles: readonly Role[] = [...analystRoles, 'host-authority'];

export const viewNames = ['placing', 'host', 'commissioning'] as const;

const meResponse = z
  .strictObject({
    org: z.string(),
    roles: z.array(z.string()),
    scope: z.strictObject({
      kind: z.enum(['national', 'la', 'consortium', 'host']),
      name: z.string(),
      las: z.array(z.string()).nullable(),
    }),
    views: z.array(z.enum(viewNames)),
  })
  .meta({ id: 'CommissioningMe' });

const areasResponse = z
  .strictObject({
    source: z.string(),
    version: z.string(),
    regions: z.array(z.strictObject({ code: z.string(), name: z.string() })),
    localAuthorities: z.array(
      z.strictObject({
        code: z.string(),
        name: z.string(),
        region: z.string(),
        centroid: z.strictObject({ lat: z.number(), lon: z.number() }),
      }),
    ),
    consortia: z.array(
      z.strictObject({ id: z.string(), name: z.string(), kind: z.string(), members: z.array(z.string()) }),
    ),
    consortiaSource: z.string(),
    consortiaVersion: z.string(),
  })
  .meta({ id: 'CommissioningAreas' });

export function registerReferenceRoutes(ctx: CommissioningContext): void {
  const { app } = ctx.host;

  app.get(
    '/v1/commissioning/me',
    {
      config: { auth: { roles: readerRoles } },
      schema: {
        tags: ['commissioning'],
        summary: 'Who you are to commissioning: your scope and the console views that apply',
        response: { 200: meResponse },
      },
    },
    async (request) => {
      const principal = ctx.host.principal(request);
      const views: (typeof viewNames)[number][] = [];
      let scope: z.infer<typeof meResponse>['scope'] = {
        kind: 'host',
        name: principal.org,
        las: [principal.org],
      };
      if (principal.roles.some((role) => analystRoles.includes(role))) {
        const viewer = viewerOf(principal, ctx.consortia);
        if (viewer.kind === 'national') {
          scope = { kind: 'national', name: 'England', las: null };
          views.push('commissioning', 'placing', 'host');
        } else if (viewer.kind === 'consortium') {
          scope = { kind: 'consortium', name: viewer.consortium.name, las: [...viewer.consortium.members] };
          views.push('commissioning');
        } else {
          scope = { kind: 'la', name: laName(viewer.la), las: [viewer.la] };
          views.push('placing', 'commissioning');
        }
      }
      if (principal.roles.includes('host-authority') && !views.includes('host')) views.push('host');
      if (scope.kind === 'host') scope = { kind: 'host', name: laName(principal.org), las: [principal.org] };
      return { org: principal.org, roles: principal.roles, scope, views };
    },
  );

  app.get(
    '/v1/commissioning/areas',
    {
      config: { auth: { roles: readerRoles } },
      schema: {
        tags: ['commissioning'],
        summary: 'Regions, upper-tier LAs (with approximate centres, for maps) and consortia',
        response: { 200: areasResponse },
      },
    },
    async () => {
      const today = todayFor(ctx);
      return {
        source: 'ONS codes and approximate LA centres from @placements/contracts (reference data, versioned)',
        version: today,
        regions: regions.map((region) => ({ code: region.code, name: region.name })),
        localAuthorities: localAuthorities(today).map((la) => ({
          code: la.code,
          name: la.name,
          region: la.regionCode,
          centroid: { lat: la.centroid.lat, lon: la.centroid.lon },
        })),
        consortia: ctx.consortia.consortia.map((c) => ({
          id: c.id,
          name: c.name,
          kind: c.kind,
          members: [...c.members],
        })),
        consortiaSource: ctx.consortia.source,
        consortiaVersion: ctx.consortia.version,
      };
    },
  );

  app.get(
    '/v1/commissioning/unit-costs',
    {
      config: { auth: { roles: readerRoles } },
      schema: {
        tags: ['commissioning'],
        summary: 'The unit costs used for the cost of instability, with their source and price year',
        response: { 200: unitCostsSchema.meta({ id: 'CommissioningUnitCosts' }) },
      },
    },
    async () => ctx.unitCosts,
  );
}
