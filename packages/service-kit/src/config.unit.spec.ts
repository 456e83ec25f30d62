import { describe, expect, it } from 'vitest';
import { ConfigError, DEV_JWT_SECRET, loadConfig } from './config.ts';

const base = { PORT: '3001', DATABASE_URL: 'postgres://u@h/db', KAFKA_BROKERS: 'a:9092, b:9092' };

describe('service configuration', () => {
  it('applies development defaults and parses lists', () => {
    const config = loadConfig('referral', base);
    expect(config.KAFKA_BROKERS).toEqual(['a:9092', 'b:9092']);
    expect(config.AUTH_JWT_SECRET).toBe(DEV_JWT_SECRET);
    expect(config.KEYSTORE_DATABASE_URL).toBe(base.DATABASE_URL);
    expect(config.dataKeyEncryptionKey).toHaveLength(32);
  });

  it('names every bad variable in one error', () => {
    try {
      loadConfig('referral', { PORT: 'x', DATABASE_URL: 'mysql://nope' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).issues.map((issue) => issue.variable).sort()).toEqual([
        'DATABASE_URL',
        'KAFKA_BROKERS',
        'PORT',
      ]);
    }
  });

  it('refuses the shared development secret and missing keys in production', () => {
    expect(() =>
      loadConfig('referral', { ...base, NODE_ENV: 'production', AUTH_JWT_SECRET: 'x'.repeat(40) }),
    ).toThrow(
      /AUTH_JWT_SECRET: shared-secret tokens are for development[\s\S]*AUTH_JWKS_URL: required[\s\S]*DATA_KEY_ENCRYPTION_KEY: required/,
    );
    const production = loadConfig('referral', {
      ...base,
      NODE_ENV: 'production',
      AUTH_JWKS_URL: 'https://idp.example/jwks.json',
      DATA_KEY_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
    });
    expect(production.AUTH_JWT_SECRET).toBeUndefined();
  });

  it('treats empty variables as unset', () => {
    expect(
      loadConfig('referral', { ...base, AUTH_JWKS_URL: '', DATA_KEY_ENCRYPTION_KEY: '' }).AUTH_JWKS_URL,
    ).toBeUndefined();
  });
});
