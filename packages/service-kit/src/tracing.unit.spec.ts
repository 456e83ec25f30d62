import { describe, expect, it } from 'vitest';
import { continueTrace, traceIdOf } from './tracing.ts';

describe('trace context', () => {
  it('continues an incoming trace with a new span', () => {
    const incoming = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const next = continueTrace(incoming);
    expect(next.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(next.spanId).not.toBe('00f067aa0ba902b7');
    expect(traceIdOf(next.traceparent)).toBe(next.traceId);
  });

  it('starts a new trace for a missing, malformed or all-zero header', () => {
    for (const header of [undefined, 'garbage', '00-00000000000000000000000000000000-00f067aa0ba902b7-01']) {
      expect(continueTrace(header).traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      expect(continueTrace(header).traceId).not.toMatch(/^0+$/);
    }
  });
});
