// Subscriptions: Given / When / Then on decide, the secret box, and the URL policy (SSRF).
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { STOCKPORT } from '../test-fixtures.ts';
import { generateSigningSecret, SecretBox } from './secret-box.ts';
import {
  decideSubscription,
  evolveSubscription,
  initialSubscriptionState,
  type SubscriptionCreated,
  type SubscriptionEvent,
  type SubscriptionState,
} from './subscription.ts';
import { addressRefusal, checkWebhookUrl, urlRefusal } from './url-policy.ts';

const now = new Date('2026-06-01T09:00:00Z');
function created(): SubscriptionCreated {
  return {
    subscriptionId: randomUUID(),
    org: STOCKPORT,
    url: 'https://hooks.stockport.example/notices',
    eventTypes: ['out-of-area.placement-notice'],
    secretCiphertext: 'v1:x:y:z',
    createdAt: now.toISOString(),
  };
}
const given = (...events: SubscriptionEvent[]): SubscriptionState =>
  events.reduce(evolveSubscription, initialSubscriptionState);

describe('subscription decisions', () => {
  it('creates once', () => {
    const subscription = created();
    const events = decideSubscription(
      { type: 'CreateSubscription', subscription },
      initialSubscriptionState,
      { now },
    );
    expect(events).toEqual([{ type: 'SubscriptionCreated', data: subscription }]);
    expect(() =>
      decideSubscription({ type: 'CreateSubscription', subscription }, given(...events), { now }),
    ).toThrow(/already exists/);
  });

  it('410 Gone disables it once', () => {
    const state = given({ type: 'SubscriptionCreated', data: created() });
    const events = decideSubscription({ type: 'DisableSubscription', detail: '410' }, state, { now });
    expect(events).toMatchObject([{ type: 'SubscriptionDisabled', data: { reason: 'gone' } }]);
    expect(
      decideSubscription(
        { type: 'DisableSubscription', detail: '410' },
        given({ type: 'SubscriptionCreated', data: created() }, ...events),
        { now },
      ),
    ).toEqual([]);
  });

  it('only its own organisation can delete it; others see 404', () => {
    const state = given({ type: 'SubscriptionCreated', data: created() });
    expect(() =>
      decideSubscription({ type: 'DeleteSubscription', org: 'E09000007' }, state, { now }),
    ).toThrow(/not found/);
    const events = decideSubscription({ type: 'DeleteSubscription', org: STOCKPORT }, state, { now });
    expect(events).toMatchObject([{ type: 'SubscriptionDeleted' }]);
    expect(() =>
      decideSubscription(
        { type: 'DeleteSubscription', org: STOCKPORT },
        given({ type: 'SubscriptionCreated', data: created() }, ...events),
        { now },
      ),
    ).toThrow(/not found/);
  });

  it('its events never hold the plaintext secret', () => {
    const secret = generateSigningSecret();
    const box = new SecretBox(Buffer.alloc(32, 7));
    const subscription = { ...created() };
    subscription.secretCiphertext = box.seal(secret, subscription.subscriptionId);
    const events = decideSubscription(
      { type: 'CreateSubscription', subscription },
      initialSubscriptionState,
      { now },
    );
    expect(JSON.stringify(events)).not.toContain(secret.slice('whsec_'.length));
  });
});

describe('secret box', () => {
  const box = new SecretBox(Buffer.alloc(32, 1));

  it('generates Standard Webhooks secrets of 32 random bytes', () => {
    const secret = generateSigningSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    expect(generateSigningSecret()).not.toBe(secret);
  });

  it('round-trips, with a fresh nonce each time', () => {
    const id = randomUUID();
    const a = box.seal('whsec_abc', id);
    expect(box.open(a, id)).toBe('whsec_abc');
    expect(box.seal('whsec_abc', id)).not.toBe(a);
  });

  it('does not open under another subscription id or another key, or when tampered with', () => {
    const id = randomUUID();
    const sealed = box.seal('whsec_abc', id);
    expect(() => box.open(sealed, randomUUID())).toThrow();
    expect(() => new SecretBox(Buffer.alloc(32, 2)).open(sealed, id)).toThrow();
    const parts = sealed.split(':');
    parts[3] = Buffer.from('whsec_abd').toString('base64');
    expect(() => box.open(parts.join(':'), id)).toThrow();
  });
});

describe('webhook URL policy', () => {
  const strict = { allowHttp: false, allowPrivateNetworks: false };
  const local = { allowHttp: true, allowPrivateNetworks: true };

  it.each([
    ['http://hooks.example.org/x', 'https'],
    ['ftp://hooks.example.org/x', 'https'],
    ['not a url', 'absolute'],
    ['https://user:pw@hooks.example.org/x', 'credentials'],
    ['https://127.0.0.1/x', 'loopback'],
    ['https://10.1.2.3/x', 'private'],
    ['https://172.16.0.1/x', 'private'],
    ['https://192.168.1.1/x', 'private'],
    ['https://169.254.169.254/latest/meta-data', 'linkLocal'],
    ['https://[::1]/x', 'loopback'],
    ['https://[fd00::1]/x', 'uniqueLocal'],
    ['https://[fe80::1]/x', 'linkLocal'],
    ['https://[::ffff:10.0.0.1]/x', 'private'],
    ['https://224.0.0.1/x', 'multicast'],
    ['https://0.0.0.0/x', 'unspecified'],
    ['https://100.64.0.1/x', 'carrierGradeNat'],
    ['https://localhost/x', 'loopback'],
    ['https://intranet/x', 'public host name'],
  ])('refuses %s (%s)', (url, reason) => {
    expect(urlRefusal(url, strict)).toContain(reason);
  });

  it('accepts public https URLs and literal public addresses', () => {
    expect(urlRefusal('https://hooks.stockport.gov.uk/notices', strict)).toBeUndefined();
    expect(urlRefusal('https://8.8.8.8/hook', strict)).toBeUndefined();
    expect(addressRefusal('2a00:1450:4009:80b::200e', strict)).toBeUndefined();
  });

  it('allows http and private targets only when configured', () => {
    expect(urlRefusal('http://127.0.0.1:8080/x', local)).toBeUndefined();
    expect(urlRefusal('http://localhost:8080/x', { allowHttp: true, allowPrivateNetworks: false })).toContain(
      'loopback',
    );
    expect(
      urlRefusal('https://10.0.0.1/x', { allowHttp: false, allowPrivateNetworks: true }),
    ).toBeUndefined();
  });

  it('refuses a public-looking name that resolves to a private address', async () => {
    const refusal = await checkWebhookUrl('https://rebind.example.org/x', strict, async () => [
      '8.8.8.8',
      '10.0.0.7',
    ]);
    expect(refusal).toContain('10.0.0.7');
    expect(
      await checkWebhookUrl('https://ok.example.org/x', strict, async () => ['8.8.4.4']),
    ).toBeUndefined();
    expect(
      await checkWebhookUrl('https://nx.example.org/x', strict, async () => {
        throw new Error('ENOTFOUND');
      }),
    ).toContain('could not be resolved');
  });
});
