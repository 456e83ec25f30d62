// Optimistic concurrency over HTTP: reads return the aggregate's stream version as a strong ETag,
// updates carry it back in If-Match and get 412 when the aggregate has moved on.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { problems } from './problems.ts';

export function etagFor(version: number): string {
  return `"${version}"`;
}

export function setEtag(reply: FastifyReply, version: number): void {
  reply.header('etag', etagFor(version));
}

/** The version an If-Match header names (`"3"`, `W/"3"` or `3`); undefined when absent. */
export function ifMatchVersion(request: FastifyRequest): number | undefined {
  const header = request.headers['if-match'];
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? header[0] : header;
  const match = /^\s*(?:W\/)?"?(\d+)"?\s*$/.exec(value ?? '');
  if (!match?.[1]) {
    throw problems.validation([
      { path: 'header.if-match', message: 'must be the ETag of the resource, e.g. "3"' },
    ]);
  }
  return Number(match[1]);
}

/** Like {@link ifMatchVersion} but a missing header is a 428 (the client must say what it read). */
export function requireIfMatch(request: FastifyRequest): number {
  const version = ifMatchVersion(request);
  if (version === undefined)
    throw problems.preconditionRequired('send If-Match with the ETag from your last read');
  return version;
}
