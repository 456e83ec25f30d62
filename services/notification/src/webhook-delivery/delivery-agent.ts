// Outbound HTTP for webhooks (undici). The address rule of url-policy.ts is enforced where the
// connection is made: the resolver refuses names that resolve to a forbidden address, literal
// addresses are checked before connecting, and the connected socket's peer is checked again, so
// DNS rebinding between subscription and delivery cannot reach an internal service. Redirects
// are not followed (a 3xx is a failed attempt).
import dns from 'node:dns';
import type { LookupFunction, Socket } from 'node:net';
import { isIP } from 'node:net';
import { Agent, buildConnector, request } from 'undici';
import { addressRefusal, type UrlPolicy, urlRefusal } from '../subscriptions/url-policy.ts';

export class ForbiddenAddressError extends Error {
  readonly code = 'WEBHOOK_FORBIDDEN_ADDRESS';
}

/** The system resolver's signature, with every address asked for. */
export type Resolver = (
  hostname: string,
  options: dns.LookupAllOptions,
  callback: (error: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void,
) => void;

function guardedLookup(policy: UrlPolicy, resolver: Resolver): LookupFunction {
  return (hostname, options, callback) => {
    resolver(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 4);
      const list = addresses as dns.LookupAddress[];
      for (const entry of list) {
        const refusal = addressRefusal(entry.address, policy);
        if (refusal) return callback(new ForbiddenAddressError(`${hostname}: ${refusal}`), '', 4);
      }
      if (list.length === 0) return callback(new Error(`${hostname} did not resolve`), '', 4);
      if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      const first = list[0]!;
      return callback(null, first.address, first.family);
    });
  };
}

/** `resolver` is replaceable so tests can play a DNS-rebinding resolver. */
export function createDeliveryAgent(
  policy: UrlPolicy,
  timeoutMs: number,
  resolver: Resolver = dns.lookup,
): Agent {
  const connect = buildConnector({ lookup: guardedLookup(policy, resolver), timeout: timeoutMs });
  return new Agent({
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connections: 64,
    connect: (options, callback) => {
      if (isIP(options.hostname.replace(/^\[|\]$/g, ''))) {
        const refusal = addressRefusal(options.hostname.replace(/^\[|\]$/g, ''), policy);
        if (refusal) return callback(new ForbiddenAddressError(refusal), null);
      }
      return connect(options, (error, socket) => {
        if (error || !socket) return callback(error ?? new Error('no socket'), null);
        const peer = (socket as Socket).remoteAddress;
        const refusal = peer ? addressRefusal(peer, policy) : 'the peer address is unknown';
        if (refusal) {
          socket.destroy();
          return callback(new ForbiddenAddressError(refusal), null);
        }
        return callback(null, socket);
      });
    },
  });
}

export interface AttemptResult {
  statusCode: number | null;
  retryAfter: string | undefined;
  error: string | null;
  durationMs: number;
  /** True when the target was refused by the address policy before any request was sent. */
  refused: boolean;
}

/** One POST of a signed webhook; never throws. */
export async function postWebhook(options: {
  agent: Agent;
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  policy: UrlPolicy;
}): Promise<AttemptResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const refusal = urlRefusal(options.url, options.policy);
  if (refusal)
    return { statusCode: null, retryAfter: undefined, error: refusal, durationMs: 0, refused: true };
  try {
    const response = await request(options.url, {
      method: 'POST',
      dispatcher: options.agent,
      headers: { ...options.headers, 'user-agent': 'placements-notification/1 (Standard Webhooks)' },
      body: options.body,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    // The body is not needed; read a little and drop the rest so the connection can be reused.
    await response.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
    const retryAfter = response.headers['retry-after'];
    return {
      statusCode: response.statusCode,
      retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
      error: response.statusCode >= 200 && response.statusCode < 300 ? null : `HTTP ${response.statusCode}`,
      durationMs: elapsed(),
      refused: false,
    };
  } catch (error) {
    const refused =
      error instanceof ForbiddenAddressError ||
      (error as { cause?: unknown })?.cause instanceof ForbiddenAddressError;
    return {
      statusCode: null,
      retryAfter: undefined,
      error: describe(error),
      durationMs: elapsed(),
      refused,
    };
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timed out';
  const cause = (error as { cause?: unknown }).cause;
  const code = (error as { code?: string }).code;
  const detail = cause instanceof Error ? `: ${cause.message}` : '';
  return `${code ? `${code} ` : ''}${error.message}${detail}`.slice(0, 500);
}
