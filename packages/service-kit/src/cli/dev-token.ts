// Prints a development bearer token (HS256, signed with AUTH_JWT_SECRET or the development
// default). Services running with NODE_ENV=production refuse such tokens.
//
//   node packages/service-kit/src/cli/dev-token.ts --org E09000014 --role placing-authority [--sub name] [--ttl 8h]
import { parseArgs } from 'node:util';
import { type Role, roles } from '@placements/contracts';
import { issueDevToken } from '../auth.ts';
import { DEV_AUDIENCE, DEV_ISSUER, DEV_JWT_SECRET } from '../config.ts';

const { values } = parseArgs({
  options: {
    org: { type: 'string' },
    role: { type: 'string', multiple: true },
    sub: { type: 'string' },
    ttl: { type: 'string', default: '8h' },
    help: { type: 'boolean', short: 'h' },
  },
});

function usage(message?: string): never {
  if (message) console.error(message);
  console.error(`usage: dev-token --org <org> --role <role> [--role <role>] [--sub <subject>] [--ttl 8h]
roles: ${roles.join(', ')}
org: an ONS LA code (E09000014), a provider id (P1001), ofsted or ops`);
  process.exit(message ? 2 : 0);
}

if (values.help) usage();
if (process.env.NODE_ENV === 'production')
  usage('development tokens are not issued when NODE_ENV=production');
if (!values.org) usage('--org is required');
const requested = values.role ?? [];
if (requested.length === 0) usage('--role is required');
const unknown = requested.filter((role) => !(roles as readonly string[]).includes(role));
if (unknown.length > 0) usage(`unknown role: ${unknown.join(', ')}`);

const ttl = /^(\d+)([smhd])$/.exec(values.ttl ?? '8h');
if (!ttl) usage('--ttl must look like 30m, 8h or 7d');
const seconds = Number(ttl[1]) * { s: 1, m: 60, h: 3600, d: 86_400 }[ttl[2] as 's' | 'm' | 'h' | 'd'];

const token = await issueDevToken({
  org: values.org,
  roles: requested as Role[],
  ...(values.sub ? { sub: values.sub } : {}),
  secret: process.env.AUTH_JWT_SECRET ?? DEV_JWT_SECRET,
  issuer: process.env.AUTH_ISSUER ?? DEV_ISSUER,
  audience: process.env.AUTH_AUDIENCE ?? DEV_AUDIENCE,
  ttlSeconds: seconds,
});
console.log(token);
