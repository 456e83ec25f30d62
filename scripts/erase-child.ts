// Erases a child's personal data across the platform (SECURITY.md, "Erasing a child"). Run from the
// repository root with the referral service's environment (DATABASE_URL, KEYSTORE_DATABASE_URL,
// DATA_KEY_ENCRYPTION_KEY):
//
//   node scripts/erase-child.ts --la E09000014 --child HAR0001234 --reason "..." --operator "..."
//
// The command lives with the referral service, whose log records the erasure.
import { eraseChildCommand } from '../services/referral/src/cli/erase-child.ts';

const { code } = await eraseChildCommand(process.argv.slice(2), process.env);
process.exitCode = code;
