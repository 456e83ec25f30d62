// Telling "the database cannot be reached right now" from every other failure: the former is
// nobody's fault and goes away (a restart, a failover, a full connection table), so callers wait
// and retry or answer 503, where any other error is the request's or the message's own.

/** Connection-level errno values and SQLSTATEs (class 08 connection exception, 57P0x shutdown, 53300). */
const DATABASE_UNAVAILABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08003',
  '08006',
  '08001',
  '08004',
  '53300',
]);

export function isDatabaseUnavailable(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code;
  if (code && DATABASE_UNAVAILABLE.has(code)) return true;
  const message = error instanceof Error ? error.message : '';
  return (
    message.includes('Connection terminated') ||
    message.includes('timeout exceeded when trying to connect') ||
    message.includes('Client has encountered a connection error')
  );
}
