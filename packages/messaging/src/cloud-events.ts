// CloudEvents 1.0 in Kafka binary mode: the event's attributes travel as `ce_*` headers and the
// event data is the message value. Headers carry identifiers only, never personal data
// (`ce_subject` is an aggregate id).
import type { IHeaders } from 'kafkajs';

export interface CloudEventAttributes {
  id: string;
  source: string;
  type: string;
  time: string;
  subject?: string;
  traceparent?: string;
}

export const CE_SPEC_VERSION = '1.0';

export function toKafkaHeaders(attributes: CloudEventAttributes): IHeaders {
  const headers: IHeaders = {
    ce_specversion: CE_SPEC_VERSION,
    ce_id: attributes.id,
    ce_source: attributes.source,
    ce_type: attributes.type,
    ce_time: attributes.time,
    'content-type': 'application/json',
  };
  if (attributes.subject) headers.ce_subject = attributes.subject;
  if (attributes.traceparent) headers.traceparent = attributes.traceparent;
  return headers;
}

export function headerText(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return value.map((part) => part.toString()).join(',');
  return value.toString();
}

/** All headers as text (for DLQ copies and diagnostics). */
export function headersAsText(headers: IHeaders | undefined): Record<string, string> {
  const text: Record<string, string> = {};
  for (const name of Object.keys(headers ?? {})) {
    const value = headerText(headers, name);
    if (value !== undefined) text[name] = value;
  }
  return text;
}

export class MalformedCloudEventError extends Error {
  /** Retrying cannot fix a message without its attributes: dead-letter it at once. */
  readonly permanent = true;
}

export function fromKafkaHeaders(headers: IHeaders | undefined): CloudEventAttributes {
  const id = headerText(headers, 'ce_id');
  const source = headerText(headers, 'ce_source');
  const type = headerText(headers, 'ce_type');
  const specversion = headerText(headers, 'ce_specversion');
  if (!id || !source || !type || specversion !== CE_SPEC_VERSION) {
    throw new MalformedCloudEventError(
      'message is not a CloudEvents 1.0 binary-mode event (ce_id, ce_source, ce_type)',
    );
  }
  const subject = headerText(headers, 'ce_subject');
  const traceparent = headerText(headers, 'traceparent');
  return {
    id,
    source,
    type,
    time: headerText(headers, 'ce_time') ?? new Date().toISOString(),
    ...(subject ? { subject } : {}),
    ...(traceparent ? { traceparent } : {}),
  };
}
