import { Parser } from '@asyncapi/parser';
import { describe, expect, it } from 'vitest';
import { asyncApiDocument } from './asyncapi.ts';
import { integrationEvents, topics } from './events/catalog.ts';

describe('AsyncAPI document', () => {
  it('is valid AsyncAPI 3 according to the official parser', async () => {
    const parser = new Parser();
    const { document, diagnostics } = await parser.parse(JSON.stringify(asyncApiDocument()));
    const errors = diagnostics.filter((diagnostic) => diagnostic.severity === 0);
    expect(errors.map((error) => `${error.path.join('.')}: ${error.message}`)).toEqual([]);
    expect(document).toBeDefined();
    expect(document!.channels().length).toBe(Object.keys(topics).length);
    expect(document!.messages().length).toBe(Object.keys(integrationEvents).length);
  });

  it('describes personal fields as sealed on the wire', () => {
    const doc = asyncApiDocument() as {
      components: {
        messages: Record<string, { payload: { properties: Record<string, { oneOf?: unknown[] }> } }>;
      };
    };
    const submitted = doc.components.messages.ReferralSubmitted!.payload.properties;
    expect(submitted.child?.oneOf).toHaveLength(2);
    expect(submitted.childViews?.oneOf).toHaveLength(2);
    expect(submitted.needs?.oneOf).toBeUndefined();
  });
});
