// Token verification against a JWKS endpoint served locally: key rotation, caching, and the
// attacks an algorithm allow-list exists to stop.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenVerifier } from './auth.ts';

let server: Server;
let keys: JWK[] = [];
let fetches = 0;
let jwksUrl: string;

beforeAll(async () => {
  server = createServer((_request, response) => {
    fetches += 1;
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function keyPair(kid: string) {
  const pair = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(pair.publicKey)), kid, alg: 'RS256', use: 'sig' };
  return { ...pair, jwk, kid };
}

function sign(
  privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'],
  kid: string,
  claims: Record<string, unknown> = {},
  alg = 'RS256',
) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    org: 'E09000014',
    roles: ['placing-authority'],
    sub: 'worker@haringey',
    iss: 'https://idp.example',
    aud: 'placements',
    iat: now,
    exp: now + 300,
    ...claims,
  })
    .setProtectedHeader({ alg, kid })
    .sign(privateKey);
}

const options = {
  issuer: 'https://idp.example',
  audience: 'placements',
  clockSkewSeconds: 30,
  jwksCooldownMs: 0,
};

describe('JWKS verification', () => {
  it('caches keys and picks up a rotated key by its new kid', async () => {
    const first = await keyPair('k1');
    keys = [first.jwk];
    const verify = createTokenVerifier({ ...options, jwksUrl });
    expect(await verify(await sign(first.privateKey, 'k1'))).toEqual({
      sub: 'worker@haringey',
      org: 'E09000014',
      roles: ['placing-authority'],
    });
    await verify(await sign(first.privateKey, 'k1'));
    expect(fetches).toBe(1);

    const second = await keyPair('k2');
    keys = [first.jwk, second.jwk];
    expect((await verify(await sign(second.privateKey, 'k2'))).org).toBe('E09000014');
    expect(fetches).toBe(2);

    // The old key is retired: tokens it signs stop verifying once the set no longer holds it.
    keys = [second.jwk];
    const retiredVerifier = createTokenVerifier({ ...options, jwksUrl });
    await expect(retiredVerifier(await sign(first.privateKey, 'k1'))).rejects.toMatchObject({ status: 401 });
  });

  it('refuses HS256 signed with the public key (algorithm confusion), wrong issuer, audience, nbf and expired tokens', async () => {
    const pair = await keyPair('k3');
    keys = [pair.jwk];
    const verify = createTokenVerifier({ ...options, jwksUrl });
    const publicPem = await exportSPKI(pair.publicKey);
    const confused = await new SignJWT({ org: 'ops', roles: ['ops'] })
      .setProtectedHeader({ alg: 'HS256', kid: 'k3' })
      .setSubject('attacker')
      .setIssuer('https://idp.example')
      .setAudience('placements')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(publicPem));
    await expect(verify(confused)).rejects.toMatchObject({ status: 401 });
    await expect(
      verify(await sign(pair.privateKey, 'k3', { iss: 'https://evil.example' })),
    ).rejects.toMatchObject({ status: 401 });
    await expect(verify(await sign(pair.privateKey, 'k3', { aud: 'another-api' }))).rejects.toMatchObject({
      status: 401,
    });
    await expect(
      verify(await sign(pair.privateKey, 'k3', { nbf: Math.floor(Date.now() / 1000) + 3600 })),
    ).rejects.toMatchObject({ status: 401 });
    await expect(
      verify(await sign(pair.privateKey, 'k3', { exp: Math.floor(Date.now() / 1000) - 120 })),
    ).rejects.toMatchObject({ status: 401 });
    // Within the allowed clock skew an expired-by-10-seconds token is still accepted.
    expect(
      (await verify(await sign(pair.privateKey, 'k3', { exp: Math.floor(Date.now() / 1000) - 10 }))).sub,
    ).toBe('worker@haringey');
  });

  it('refuses tokens without org or roles, or with only unknown roles', async () => {
    const pair = await keyPair('k4');
    keys = [pair.jwk];
    const verify = createTokenVerifier({ ...options, jwksUrl });
    await expect(verify(await sign(pair.privateKey, 'k4', { org: undefined }))).rejects.toMatchObject({
      status: 401,
    });
    await expect(verify(await sign(pair.privateKey, 'k4', { roles: ['superuser'] }))).rejects.toMatchObject({
      status: 401,
    });
  });
});

describe('verified tokens', () => {
  it('are remembered briefly (a withdrawn key is not refetched for each request), never past expiry', async () => {
    const pair = await keyPair('k5');
    keys = [pair.jwk];
    const strict = { ...options, jwksUrl, jwksCacheMaxAgeMs: 0, clockSkewSeconds: 0 };
    const remembering = createTokenVerifier(strict);
    const forgetful = createTokenVerifier({ ...strict, verifiedTokenCacheMs: 0 });
    const token = await sign(pair.privateKey, 'k5');
    expect((await remembering(token)).org).toBe('E09000014');
    expect((await forgetful(token)).org).toBe('E09000014');
    keys = [];
    expect(await remembering(token)).toEqual({
      sub: 'worker@haringey',
      org: 'E09000014',
      roles: ['placing-authority'],
    });
    await expect(forgetful(token)).rejects.toMatchObject({ status: 401 });

    keys = [pair.jwk];
    const shortLived = await sign(pair.privateKey, 'k5', { exp: Math.floor(Date.now() / 1000) + 1 });
    expect((await remembering(shortLived)).org).toBe('E09000014');
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    await expect(remembering(shortLived)).rejects.toMatchObject({ status: 401 });
  });
});
