// W3C trace context: a request's `traceparent` (or a new one) follows it into the events it
// appends (metadata), onto Kafka (header) and into the consumer's logs, so one trace id links a
// referral across the four services.
import { randomHexFromPool } from '@placements/event-store';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export interface TraceContext {
  traceId: string;
  spanId: string;
  traceparent: string;
}

export function newTraceContext(traceId?: string): TraceContext {
  const trace = traceId ?? randomHexFromPool(16);
  const span = randomHexFromPool(8);
  return { traceId: trace, spanId: span, traceparent: `00-${trace}-${span}-01` };
}

/** Continues an incoming trace with a new span, or starts a trace when the header is absent or malformed. */
export function continueTrace(traceparent: string | undefined): TraceContext {
  const match = traceparent ? TRACEPARENT.exec(traceparent) : null;
  if (!match?.[1] || /^0+$/.test(match[1])) return newTraceContext();
  return newTraceContext(match[1]);
}

export function traceIdOf(traceparent: string | undefined): string | undefined {
  return traceparent ? TRACEPARENT.exec(traceparent)?.[1] : undefined;
}
