// Given a source event, when it becomes a history entry, then its id, type, metadata and sealing.
import { describe, expect, it } from 'vitest';
import { placementStarted, referralSubmitted } from '../testing/integration-events.ts';
import {
  childOfStream,
  entryEventId,
  historyEntry,
  historyStreamId,
  nameBasedUuid,
} from './history-entry.ts';

const child = { placingLa: 'E09000014', childRef: 'HAR0001234' };
const source = {
  id: 'c0ffee00-0000-4000-8000-000000000001',
  source: '/matching',
  type: 'uk.placements.matching.PlacementStarted.v1',
  time: '2026-05-01T09:00:05Z',
};

describe('history entries', () => {
  it('derive a stable version-5 style id from the source event and the stream', () => {
    const id = entryEventId(source.id, historyStreamId(child));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(entryEventId(source.id, historyStreamId(child))).toBe(id);
    expect(entryEventId(source.id, historyStreamId({ ...child, childRef: 'OTHER' }))).not.toBe(id);
    // RFC 9562 appendix test vector: v5 of "www.example.com" in the DNS namespace.
    expect(nameBasedUuid('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
  });

  it('keep the source event’s name and data, and where and when it happened in the metadata', () => {
    const data = placementStarted(
      {
        placementId: '00000000-0000-4000-9000-000000000001',
        referralId: '00000000-0000-4000-8000-000000000001',
        ...child,
        homeUrn: 'SC000001',
        providerId: 'P1',
        hostLa: 'E09000010',
        outOfArea: true,
        atDistance: false,
      },
      { startDate: '2026-05-01', startedAt: '2026-05-01T09:00:00Z' },
    );
    const entry = historyEntry(child, 'PlacementStarted', data, source);
    expect(entry).toEqual({
      type: 'PlacementStarted',
      data,
      eventId: entryEventId(source.id, 'history-E09000014-HAR0001234'),
      metadata: {
        source: '/matching',
        sourceEventId: source.id,
        sourceType: source.type,
        occurredAt: '2026-05-01T09:00:00.000Z',
        causationId: source.id,
      },
    });
  });

  it('seal the personal fields the catalogue names with the child’s key', () => {
    const data = referralSubmitted({
      referralId: '00000000-0000-4000-8000-000000000001',
      ...child,
      submittedAt: '2026-04-01T10:00:00Z',
    });
    const entry = historyEntry(child, 'ReferralSubmitted', data, { ...source, source: '/referral' });
    expect(entry.personal).toEqual({
      subjectId: 'child:E09000014:HAR0001234',
      fields: ['child', 'locations', 'childViews'],
    });
  });

  it('read the child back from the stream id', () => {
    expect(childOfStream('history-E09000014-HAR0001234')).toEqual(child);
    expect(childOfStream('home-SC000001')).toBeUndefined();
  });
});
