import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ERASED, isSealedField, type KeyStore, PersonalDataCipher } from './personal-data.ts';

/** A key store held in memory: the cipher's behaviour is what is under test here. */
class MemoryKeyStore implements KeyStore {
  readonly keys = new Map<string, Buffer | null>();
  async keyForEncryption(subject: string) {
    if (!this.keys.has(subject)) this.keys.set(subject, randomBytes(32));
    return this.keys.get(subject) ?? undefined;
  }
  async keyForDecryption(subject: string) {
    return this.keys.get(subject) ?? undefined;
  }
  async erase(subject: string) {
    const had = this.keys.get(subject) !== null;
    this.keys.set(subject, null);
    return had;
  }
  forget() {}
}

describe('personal data cipher', () => {
  const subject = 'child:E09000014:HAR0001234';
  const data = {
    referralId: 'r1',
    child: { dateOfBirth: '2011-05-14' },
    childViews: 'near my sister',
    needs: [1],
  };

  it('seals only the listed fields, leaving the rest readable', async () => {
    const cipher = new PersonalDataCipher(new MemoryKeyStore());
    const sealed = await cipher.seal(data, { subjectId: subject, fields: ['child', 'childViews'] });
    expect(isSealedField(sealed.child)).toBe(true);
    expect(isSealedField(sealed.childViews)).toBe(true);
    expect(sealed.needs).toEqual([1]);
    expect(JSON.stringify(sealed)).not.toContain('2011-05-14');
    expect(await cipher.open(sealed)).toEqual(data);
  });

  it('binds a ciphertext to its field: moving it to another field fails to open', async () => {
    const cipher = new PersonalDataCipher(new MemoryKeyStore());
    const sealed = await cipher.seal(data, { subjectId: subject, fields: ['child', 'childViews'] });
    await expect(cipher.open({ child: sealed.childViews })).rejects.toThrow();
  });

  it('opens to the erased marker once the key is shredded, and seals nothing new after that', async () => {
    const keys = new MemoryKeyStore();
    const cipher = new PersonalDataCipher(keys);
    const sealed = await cipher.seal(data, { subjectId: subject, fields: ['child'] });
    await keys.erase(subject);
    expect(await cipher.open(sealed)).toEqual({ ...data, child: ERASED });
    expect(await cipher.seal(data, { subjectId: subject, fields: ['child'] })).toEqual({
      ...data,
      child: ERASED,
    });
  });
});
