// Bearer-token authentication and role checks. Development tokens are HS256 with a shared secret;
// production verifies against a JWKS URL (cached, refetched on an unknown key id, so keys can
// rotate). The algorithm allow-list is fixed per mode: a token signed another way (including
// `none`, or HS256 with a public key as the secret) is rejected. Issuer, audience, exp and nbf
// are checked with a bounded clock skew.

import { roles as knownRoles, type Role } from '@placements/contracts';
import type { FastifyRequest } from 'fastify';
import { createRemoteJWKSet, type JWTPayload, errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { problems } from './problems.ts';

export interface Principal {
  sub: string;
  /** ONS LA code, provider id, `ofsted` or `ops`. */
  org: string;
  roles: Role[];
}

export type AuthRule = 'public' | { roles: readonly Role[] };

export interface AuthOptions {
  /** HS256 shared secret (development and tests). */
  jwtSecret?: string | undefined;
  /** JWKS endpoint (production). */
  jwksUrl?: string | undefined;
  issuer: string;
  audience: string;
  clockSkewSeconds: number;
  /** Minimum time between JWKS refetches triggered by an unknown key id. */
  jwksCooldownMs?: number;
  /** How long fetched keys are trusted before a refetch. */
  jwksCacheMaxAgeMs?: number;
  /**
   * How long a verified token is remembered, so a client's repeated token costs a lookup rather
   * than a signature check (0: verify every time). Expiry stays exact; a token signed with a key
   * withdrawn from the JWKS keeps working for at most this long.
   */
  verifiedTokenCacheMs?: number;
}

const VERIFIED_TOKEN_CACHE_MS = 60_000;
const VERIFIED_TOKEN_CACHE_SIZE = 10_000;

export const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'EdDSA',
];

export type TokenVerifier = (token: string) => Promise<Principal>;

export function createTokenVerifier(options: AuthOptions): TokenVerifier {
  if (!options.jwksUrl && !options.jwtSecret)
    throw new Error('authentication needs AUTH_JWKS_URL or AUTH_JWT_SECRET');
  const jwks = options.jwksUrl
    ? createRemoteJWKSet(new URL(options.jwksUrl), {
        cacheMaxAge: options.jwksCacheMaxAgeMs ?? 10 * 60_000,
        cooldownDuration: options.jwksCooldownMs ?? 30_000,
      })
    : undefined;
  // Imported once: handing jose the raw bytes would import the key again for every token.
  const secret = options.jwtSecret
    ? crypto.subtle.importKey(
        'raw',
        new TextEncoder().encode(options.jwtSecret),
        { name: 'HMAC', hash: 'SHA-256' },
        false,
        ['verify'],
      )
    : undefined;
  const verifyOptions = {
    issuer: options.issuer,
    audience: options.audience,
    clockTolerance: options.clockSkewSeconds,
    requiredClaims: ['exp', 'sub'],
  };
  const rememberFor = options.verifiedTokenCacheMs ?? VERIFIED_TOKEN_CACHE_MS;
  const verified = new Map<string, { principal: Principal; until: number }>();
  return async (token) => {
    const now = Date.now();
    const known = verified.get(token);
    if (known && known.until > now) return { ...known.principal, roles: [...known.principal.roles] };
    if (known) verified.delete(token);
    let payload: JWTPayload;
    try {
      if (jwks) {
        ({ payload } = await jwtVerify(token, jwks, { ...verifyOptions, algorithms: ASYMMETRIC_ALGORITHMS }));
      } else {
        ({ payload } = await jwtVerify(token, await secret!, { ...verifyOptions, algorithms: ['HS256'] }));
      }
    } catch (error) {
      throw problems.unauthorized(describeJoseError(error));
    }
    const principal = principalFrom(payload);
    if (rememberFor > 0 && typeof payload.exp === 'number') {
      if (verified.size >= VERIFIED_TOKEN_CACHE_SIZE) verified.delete(verified.keys().next().value!);
      verified.set(token, { principal, until: Math.min(now + rememberFor, payload.exp * 1000) });
    }
    return { ...principal, roles: [...principal.roles] };
  };
}

function describeJoseError(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'the token has expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed)
    return `the token's ${error.claim} claim is not acceptable`;
  if (error instanceof joseErrors.JOSEAlgNotAllowed)
    return 'the token is signed with an algorithm that is not accepted';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'the token signature is not valid';
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'the token was signed with an unknown key';
  return 'the token is not valid';
}

function principalFrom(payload: JWTPayload): Principal {
  const org = payload.org;
  const claimed = payload.roles;
  if (
    typeof payload.sub !== 'string' ||
    typeof org !== 'string' ||
    org.length === 0 ||
    !Array.isArray(claimed)
  ) {
    throw problems.unauthorized('the token must carry sub, org and roles claims');
  }
  const roles = claimed.filter(
    (role): role is Role => typeof role === 'string' && (knownRoles as readonly string[]).includes(role),
  );
  if (roles.length === 0) throw problems.unauthorized('the token carries no known role');
  return { sub: payload.sub, org, roles };
}

export function bearerToken(request: FastifyRequest): string {
  const header = request.headers.authorization;
  if (!header) throw problems.unauthorized('send an Authorization: Bearer <token> header');
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match?.[1]) throw problems.unauthorized('the Authorization header must be "Bearer <token>"');
  return match[1];
}

export function hasAnyRole(principal: Principal, allowed: readonly Role[]): boolean {
  return principal.roles.some((role) => allowed.includes(role));
}

export interface DevTokenOptions {
  sub?: string;
  org: string;
  roles: Role[];
  secret: string;
  issuer: string;
  audience: string;
  ttlSeconds?: number;
  notBefore?: Date;
  now?: Date;
}

/** A development token (HS256). Refused by services running with NODE_ENV=production. */
export async function issueDevToken(options: DevTokenOptions): Promise<string> {
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const jwt = new SignJWT({ org: options.org, roles: options.roles })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.sub ?? `dev-${options.roles[0] ?? 'user'}@${options.org}`)
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setIssuedAt(now)
    .setExpirationTime(now + (options.ttlSeconds ?? 8 * 3600));
  if (options.notBefore) jwt.setNotBefore(Math.floor(options.notBefore.getTime() / 1000));
  return jwt.sign(new TextEncoder().encode(options.secret));
}
