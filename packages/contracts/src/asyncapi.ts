// The AsyncAPI 3 document of every topic, generated from the same zod schemas producers and
// consumers use (API.md, "Kafka topics"). Payloads are described as they travel: personal fields
// are sealed envelopes (AES-256-GCM under the child's data key) or, after erasure, the erased
// marker; each carries its plaintext schema under `x-plaintext` for recipients with key access.
import { z } from 'zod';
import { cloudEventType, type IntegrationEventName, integrationEvents, topics } from './events/catalog.ts';

type JsonSchema = Record<string, unknown>;

const KEY_DESCRIPTIONS: Record<string, string> = {
  referralId: 'referral id',
  urn: 'home URN',
  homeUrn: 'home URN',
  placementId: 'placement id',
  notificationId: 'notification id',
  recipientOrg: 'recipient organisation (ONS LA code, provider id or ofsted)',
  erasureId: 'erasure id',
};

function toJsonSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-7',
    unrepresentable: 'any',
    io: 'output',
  }) as JsonSchema;
  return rest;
}

function payloadSchema(name: IntegrationEventName): JsonSchema {
  const definition = integrationEvents[name];
  const schema = toJsonSchema(definition.schema);
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  for (const field of definition.personal) {
    const plaintext = properties[field];
    properties[field] = {
      description:
        'Personal data: sealed with the child’s data key, or the erased marker once the key is shredded.',
      oneOf: [
        { $ref: '#/components/schemas/SealedPersonalField' },
        { $ref: '#/components/schemas/ErasedPersonalField' },
      ],
      ...(plaintext ? { 'x-plaintext': stripPersonalUnion(plaintext) } : {}),
    };
  }
  return schema;
}

/** The catalogue schema of a personal field is `value | erased`; the plaintext is the first arm. */
function stripPersonalUnion(schema: JsonSchema): JsonSchema {
  const arms = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  return arms?.[0] ?? schema;
}

const cloudEventHeaders: JsonSchema = {
  type: 'object',
  description: 'CloudEvents 1.0, Kafka protocol binding, binary content mode.',
  required: ['ce_specversion', 'ce_id', 'ce_source', 'ce_type', 'ce_time', 'content-type'],
  properties: {
    ce_specversion: { type: 'string', const: '1.0' },
    ce_id: { type: 'string', description: 'unique per source; consumers de-duplicate on (ce_source, ce_id)' },
    ce_source: { type: 'string', description: '/referral, /matching, /notification or /monitoring' },
    ce_type: { type: 'string', description: 'uk.placements.<service>.<EventName>.v1' },
    ce_time: { type: 'string', format: 'date-time' },
    ce_subject: { type: 'string', description: 'the aggregate id; never personal data' },
    'content-type': { type: 'string', const: 'application/json' },
    traceparent: { type: 'string', description: 'W3C trace context of the request that caused the event' },
  },
};

export function asyncApiDocument(
  options: { brokers?: string; version?: string } = {},
): Record<string, unknown> {
  const channelIds = new Map<string, string>();
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};

  for (const [topicKey, address] of Object.entries(topics)) {
    const channelId = topicKey;
    channelIds.set(address, channelId);
    channels[channelId] = { address, title: address, messages: {} };
  }

  for (const name of Object.keys(integrationEvents) as IntegrationEventName[]) {
    const definition = integrationEvents[name];
    const channelId = channelIds.get(definition.topic)!;
    const channel = channels[channelId] as { messages: Record<string, unknown>; description?: string };
    channel.messages[name] = { $ref: `#/components/messages/${name}` };
    messages[name] = {
      name,
      title: name,
      summary: definition.description,
      contentType: 'application/json',
      headers: {
        ...cloudEventHeaders,
        properties: {
          ...(cloudEventHeaders.properties as object),
          ce_type: { type: 'string', const: cloudEventType(name) },
        },
      },
      payload: payloadSchema(name),
      bindings: {
        kafka: {
          key: { type: 'string', description: `the ${KEY_DESCRIPTIONS[definition.key] ?? definition.key}` },
          bindingVersion: '0.5.0',
        },
      },
    };
    const operationId = `${definition.service}Publishes${channelId[0]!.toUpperCase()}${channelId.slice(1)}`;
    operations[operationId] = operations[operationId] ?? {
      action: 'send',
      title: `${definition.service} publishes to ${definition.topic}`,
      channel: { $ref: `#/channels/${channelId}` },
      messages: [],
    };
    const operation = operations[operationId] as { messages: unknown[] };
    operation.messages.push({ $ref: `#/channels/${channelId}/messages/${name}` });
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Placements integration events',
      version: options.version ?? '1.0.0',
      description:
        'Events the referral, matching, notification and monitoring services publish. Failed messages go to `<topic>.dlq` with `dlq_*` headers describing the failure.',
    },
    defaultContentType: 'application/json',
    servers: {
      local: {
        host: options.brokers ?? '127.0.0.1:9092',
        protocol: 'kafka',
        description: 'the local KRaft broker (infra/kafka.sh)',
      },
    },
    channels,
    operations,
    components: {
      messages,
      schemas: {
        SealedPersonalField: {
          type: 'object',
          required: ['$personal', 'sub', 'iv', 'ct', 'tag'],
          properties: {
            $personal: { type: 'string', const: 'v1' },
            sub: { type: 'string', description: 'key-store subject: child:<placingLa>:<childRef>' },
            iv: { type: 'string', contentEncoding: 'base64' },
            ct: {
              type: 'string',
              contentEncoding: 'base64',
              description: 'AES-256-GCM ciphertext of the JSON value',
            },
            tag: { type: 'string', contentEncoding: 'base64' },
          },
        },
        ErasedPersonalField: {
          type: 'object',
          required: ['$erased'],
          properties: { $erased: { type: 'boolean', const: true } },
        },
      },
    },
  };
}
