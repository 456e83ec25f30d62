// The erasure command (SECURITY.md, "Erasing a child"): shreds a child's data key in the shared key
// store, then records the erasure in the referral service's log (SubjectErased, published to every
// service, which purge the child from their read models) and audit. Run from the repository root
// with the referral service's environment:
//
//   DATABASE_URL=<referral database> KEYSTORE_DATABASE_URL=<key store> \
//     node scripts/erase-child.ts --la E09000014 --child HAR0001234 --reason "..." --operator "..."
//
// The key is shredded first: once SubjectErased is out, nothing can open the child's fields. Both
// steps are idempotent, so after a failure the same command is simply run again.
import { parseArgs } from 'node:util';
import { childRef as childRefSchema, laCode, subjectIdFor } from '@placements/contracts';
import { PostgresKeyStore } from '@placements/event-store';
import { DEV_DATA_KEY_ENCRYPTION_KEY } from '@placements/service-kit';
import pg from 'pg';
import { z } from 'zod';
import { erasureStreamId, recordErasure } from '../erasure/erasure.ts';

const USAGE = `usage: node scripts/erase-child.ts --la <ONS LA code> --child <childRef> --reason <text> --operator <name>
environment: DATABASE_URL (the referral service's database), KEYSTORE_DATABASE_URL (the shared key store;
defaults to DATABASE_URL), DATA_KEY_ENCRYPTION_KEY (as the services have it)`;

const argumentsSchema = z.object({
  la: laCode,
  child: childRefSchema,
  reason: z.string().trim().min(1, 'is required').max(2000),
  operator: z.string().trim().min(1, 'is required').max(200),
});

const environmentSchema = z.object({
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
  KEYSTORE_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  DATA_KEY_ENCRYPTION_KEY: z.string().optional(),
});

export interface EraseChildOutcome {
  erasureId: string;
  keyShredded: boolean;
  recorded: boolean;
}

/** Runs the command; returns the process exit code (0 done, 2 bad arguments, 1 failure). */
export async function eraseChildCommand(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  out: (line: string) => void = (line) => console.log(line),
  now: () => Date = () => new Date(),
): Promise<{ code: number; outcome?: EraseChildOutcome }> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        la: { type: 'string' },
        child: { type: 'string' },
        reason: { type: 'string' },
        operator: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    out(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return { code: 2 };
  }
  if (values.help) {
    out(USAGE);
    return { code: 0 };
  }
  const args = argumentsSchema.safeParse(values);
  const environment = environmentSchema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== '')),
  );
  if (!args.success || !environment.success) {
    const issues = [...(args.error?.issues ?? []), ...(environment.error?.issues ?? [])];
    out(
      `${issues.map((issue) => `  ${String(issue.path[0] ?? '?')}: ${issue.message}`).join('\n')}\n${USAGE}`,
    );
    return { code: 2 };
  }
  const { la, child, reason, operator } = args.data;
  const kek = Buffer.from(environment.data.DATA_KEY_ENCRYPTION_KEY ?? DEV_DATA_KEY_ENCRYPTION_KEY, 'base64');
  const referralPool = new pg.Pool({ connectionString: environment.data.DATABASE_URL, max: 2 });
  const keyStoreUrl = environment.data.KEYSTORE_DATABASE_URL ?? environment.data.DATABASE_URL;
  const keyStorePool =
    keyStoreUrl === environment.data.DATABASE_URL
      ? referralPool
      : new pg.Pool({ connectionString: keyStoreUrl, max: 1 });
  try {
    const subjectId = subjectIdFor(la, child);
    const keyShredded = await new PostgresKeyStore(keyStorePool, { keyEncryptionKey: kek }).erase(subjectId);
    out(
      keyShredded
        ? `key of ${la}/${child} shredded: every sealed field about the child is now unreadable`
        : `key of ${la}/${child} was already shredded`,
    );
    const { erasure, recorded } = await recordErasure(referralPool, {
      placingLa: la,
      childRef: child,
      reason,
      operator,
      now: now(),
    });
    out(
      recorded
        ? `erasure ${erasure.erasureId} recorded (${erasureStreamId(la, child)}); SubjectErased goes to every service`
        : `erasure ${erasure.erasureId} was already recorded on ${erasure.erasedAt} by ${erasure.operator}`,
    );
    return { code: 0, outcome: { erasureId: erasure.erasureId, keyShredded, recorded } };
  } catch (error) {
    out(`erasure failed: ${error instanceof Error ? error.message : String(error)}; run the command again`);
    return { code: 1 };
  } finally {
    await referralPool.end();
    if (keyStorePool !== referralPool) await keyStorePool.end();
  }
}
