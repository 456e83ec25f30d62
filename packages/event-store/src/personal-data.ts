// Encryption of personal fields before they are appended (DESIGN.md, Security). Each child has
// a data key (AES-256-GCM) in a key store shared by the services; the key store wraps keys with
// a key-encryption key from configuration, and a KMS could stand behind the same interface.
// Erasure deletes the wrapped key: every copy of the ciphertext, in every service's log and on
// every topic, becomes unreadable, while hash chains (computed over ciphertext) still verify.
import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject } from 'node:crypto';
import type pg from 'pg';
import { perTurnLoader } from './per-turn.ts';
import { randomBytesFromPool } from './random.ts';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const ENVELOPE_VERSION = 'v1';

/** What readers see in place of a personal field whose key has been shredded. */
export const ERASED = Object.freeze({ $erased: true as const });
export type Erased = typeof ERASED;

/** A personal field at rest and in transit. */
export interface SealedField {
  $personal: typeof ENVELOPE_VERSION;
  sub: string;
  iv: string;
  ct: string;
  tag: string;
}

export function isSealedField(value: unknown): value is SealedField {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { $personal?: unknown }).$personal === ENVELOPE_VERSION &&
    typeof (value as { sub?: unknown }).sub === 'string'
  );
}

export interface KeyStore {
  /** The subject's key, created on first use; undefined once the subject has been erased. */
  keyForEncryption(subjectId: string): Promise<Buffer | undefined>;
  /** The subject's key; undefined when erased (or never created). */
  keyForDecryption(subjectId: string): Promise<Buffer | undefined>;
  /** Shreds the subject's key. Returns false when it was already erased. */
  erase(subjectId: string): Promise<boolean>;
  /** Drops any cached copy (called when another process reports an erasure). */
  forget(subjectId: string): void;
}

interface CachedKey {
  key: Buffer | undefined;
  expiresAt: number;
}

export interface PostgresKeyStoreOptions {
  /** 32-byte key-encryption key. */
  keyEncryptionKey: Buffer;
  /** How long a key stays cached in process; bounds how long another process may still decrypt after an erasure. */
  cacheTtlMs?: number;
  cacheSize?: number;
  now?: () => number;
}

/** Key store in a PostgreSQL table (`subject_keys`, keystore-migrations/). */
export class PostgresKeyStore implements KeyStore {
  readonly #pool: pg.Pool;
  readonly #kek: KeyObject;
  readonly #ttl: number;
  readonly #size: number;
  readonly #now: () => number;
  readonly #cache = new Map<string, CachedKey>();
  /** Keys created, and keys read, per turn of the event loop: one statement for all of a turn's. */
  readonly #creations = perTurnLoader((subjectIds: readonly string[]) => this.#create(subjectIds));
  readonly #loads = perTurnLoader((subjectIds: readonly string[]) => this.#load(subjectIds));

  constructor(pool: pg.Pool, options: PostgresKeyStoreOptions) {
    if (options.keyEncryptionKey.length !== 32) throw new Error('the key-encryption key must be 32 bytes');
    this.#pool = pool;
    // Imported once: a raw key passed to every cipher call is imported again each time.
    this.#kek = createSecretKey(options.keyEncryptionKey);
    this.#ttl = options.cacheTtlMs ?? 60_000;
    this.#size = options.cacheSize ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  async keyForEncryption(subjectId: string): Promise<Buffer | undefined> {
    const cached = this.#cached(subjectId);
    if (cached) return cached.key;
    return this.#creations.load(subjectId);
  }

  async keyForDecryption(subjectId: string): Promise<Buffer | undefined> {
    const cached = this.#cached(subjectId);
    if (cached) return cached.key;
    return this.#loads.load(subjectId);
  }

  async erase(subjectId: string): Promise<boolean> {
    const result = await this.#pool.query(
      `INSERT INTO subject_keys (subject_id, wrapped_key, erased_at) VALUES ($1, NULL, now())
       ON CONFLICT (subject_id) DO UPDATE SET wrapped_key = NULL, erased_at = now()
         WHERE subject_keys.erased_at IS NULL
       RETURNING subject_id`,
      [subjectId],
    );
    this.forget(subjectId);
    return (result.rowCount ?? 0) > 0;
  }

  forget(subjectId: string): void {
    this.#cache.delete(subjectId);
  }

  #cached(subjectId: string): CachedKey | undefined {
    const entry = this.#cache.get(subjectId);
    if (!entry) return undefined;
    if (entry.expiresAt < this.#now()) {
      this.#cache.delete(subjectId);
      return undefined;
    }
    return entry;
  }

  /**
   * Creates the keys of the subjects asked for in one turn, in one statement (one commit). A
   * subject whose key exists already (made elsewhere, or erased) gets the stored one. Subjects
   * are written in sorted order, so two processes creating overlapping sets cannot deadlock.
   */
  async #create(subjectIds: readonly string[]): Promise<(Buffer | undefined)[]> {
    const subjects = [...new Set(subjectIds)].sort();
    const keys = subjects.map(() => randomBytesFromPool(32));
    const { rows } = await this.#pool.query<{ subject_id: string }>({
      name: 'keystore-create',
      text: `INSERT INTO subject_keys (subject_id, wrapped_key)
             SELECT * FROM unnest($1::text[], $2::bytea[])
             ON CONFLICT (subject_id) DO NOTHING
             RETURNING subject_id`,
      values: [subjects, subjects.map((subjectId, index) => this.#wrap(subjectId, keys[index]!))],
    });
    const created = new Set(rows.map((row) => row.subject_id));
    const answers = new Map<string, Buffer | undefined>();
    // A new subject's key is the one just written: no second round trip to read it back.
    for (const [index, subjectId] of subjects.entries()) {
      if (!created.has(subjectId)) continue;
      this.#remember(subjectId, keys[index]!);
      answers.set(subjectId, keys[index]!);
    }
    const existing = subjects.filter((subjectId) => !created.has(subjectId));
    if (existing.length > 0) {
      const stored = await this.#load(existing);
      for (const [index, subjectId] of existing.entries()) answers.set(subjectId, stored[index]);
    }
    return subjectIds.map((subjectId) => answers.get(subjectId));
  }

  /** The stored keys of subjects (undefined when erased or unknown), in one statement. */
  async #load(subjectIds: readonly string[]): Promise<(Buffer | undefined)[]> {
    const subjects = [...new Set(subjectIds)];
    const { rows } = await this.#pool.query<{ subject_id: string; wrapped_key: Buffer | null }>({
      name: 'keystore-read',
      text: 'SELECT subject_id, wrapped_key FROM subject_keys WHERE subject_id = ANY($1::text[])',
      values: [subjects],
    });
    const answers = new Map<string, Buffer | undefined>();
    for (const row of rows) {
      const key = row.wrapped_key ? this.#unwrap(row.subject_id, row.wrapped_key) : undefined;
      // Unknown subjects are not cached: the key may be created by another process a moment later.
      this.#remember(row.subject_id, key);
      answers.set(row.subject_id, key);
    }
    return subjectIds.map((subjectId) => answers.get(subjectId));
  }

  #remember(subjectId: string, key: Buffer | undefined): void {
    if (this.#cache.size >= this.#size) {
      const oldest = this.#cache.keys().next().value;
      if (oldest !== undefined) this.#cache.delete(oldest);
    }
    this.#cache.set(subjectId, { key, expiresAt: this.#now() + this.#ttl });
  }

  #wrap(subjectId: string, key: Buffer): Buffer {
    const iv = randomBytesFromPool(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.#kek, iv);
    cipher.setAAD(Buffer.from(subjectId, 'utf8'));
    const ct = Buffer.concat([cipher.update(key), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), ct]);
  }

  #unwrap(subjectId: string, wrapped: Buffer): Buffer {
    const iv = wrapped.subarray(0, IV_BYTES);
    const tag = wrapped.subarray(IV_BYTES, IV_BYTES + 16);
    const decipher = createDecipheriv(ALGORITHM, this.#kek, iv);
    decipher.setAAD(Buffer.from(subjectId, 'utf8'));
    decipher.setAuthTag(tag);
    const key = Buffer.concat([decipher.update(wrapped.subarray(IV_BYTES + 16)), decipher.final()]);
    // A buffer of its own: the 32 bytes Buffer.concat returns are a slice of a shared pool slab
    // (64 kB in Node 24), which a cached key would keep alive: 287 cached keys held 17.9 MB.
    const own = Buffer.allocUnsafeSlow(key.length);
    key.copy(own);
    return own;
  }
}

export interface PersonalFields {
  subjectId: string;
  /** Top-level fields of the event data that are personal. */
  fields: readonly string[];
}

/** Seals and opens the personal fields of event data with the subjects' keys. */
export class PersonalDataCipher {
  readonly #keys: KeyStore;

  constructor(keys: KeyStore) {
    this.#keys = keys;
  }

  get keyStore(): KeyStore {
    return this.#keys;
  }

  async seal<T extends object>(data: T, personal: PersonalFields): Promise<T> {
    const key = await this.#keys.keyForEncryption(personal.subjectId);
    const sealed: Record<string, unknown> = { ...(data as Record<string, unknown>) };
    for (const field of personal.fields) {
      if (!(field in sealed) || sealed[field] === undefined || isSealedField(sealed[field])) continue;
      // An erased subject's new events carry the marker: nothing personal is written after erasure.
      sealed[field] = key ? encryptField(key, personal.subjectId, field, sealed[field]) : ERASED;
    }
    return sealed as T;
  }

  /** Replaces every sealed top-level field with its plaintext, or with {@link ERASED}. */
  async open<T>(data: T): Promise<T> {
    if (typeof data !== 'object' || data === null) return data;
    let opened: Record<string, unknown> | undefined;
    for (const [field, value] of Object.entries(data as Record<string, unknown>)) {
      if (!isSealedField(value)) continue;
      opened ??= { ...(data as Record<string, unknown>) };
      const key = await this.#keys.keyForDecryption(value.sub);
      opened[field] = key ? decryptField(key, field, value) : ERASED;
    }
    return (opened ?? data) as T;
  }
}

const keyObjects = new WeakMap<Buffer, KeyObject>();

/**
 * The key as a KeyObject, made once per key buffer (key stores hand out the same buffer while it
 * is cached): importing a raw key on every cipher call costs several times the AES work itself.
 */
function keyObjectOf(key: Buffer): KeyObject {
  let object = keyObjects.get(key);
  if (!object) {
    object = createSecretKey(key);
    keyObjects.set(key, object);
  }
  return object;
}

function encryptField(key: Buffer, subjectId: string, field: string, value: unknown): SealedField {
  const iv = randomBytesFromPool(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, keyObjectOf(key), iv);
  cipher.setAAD(Buffer.from(`${subjectId}|${field}`, 'utf8'));
  const ct = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return {
    $personal: ENVELOPE_VERSION,
    sub: subjectId,
    iv: iv.toString('base64'),
    ct: ct.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
  };
}

function decryptField(key: Buffer, field: string, sealed: SealedField): unknown {
  const decipher = createDecipheriv(ALGORITHM, keyObjectOf(key), Buffer.from(sealed.iv, 'base64'));
  decipher.setAAD(Buffer.from(`${sealed.sub}|${field}`, 'utf8'));
  decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
  const plain = Buffer.concat([decipher.update(Buffer.from(sealed.ct, 'base64')), decipher.final()]);
  return JSON.parse(plain.toString('utf8'));
}
