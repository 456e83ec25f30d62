// Typed failures of the event store. The HTTP layer maps them to problem+json statuses
// (a version conflict is 409 or 412, never a 500), so each carries a stable `code`.
export const eventStoreErrorCodes = [
  'STREAM_VERSION_CONFLICT',
  'DUPLICATE_EVENT',
  'APPEND_ONLY_VIOLATION',
  'PERSONAL_DATA_KEY_MISSING',
] as const;
export type EventStoreErrorCode = (typeof eventStoreErrorCodes)[number];

export class EventStoreError extends Error {
  readonly code: EventStoreErrorCode;
  constructor(code: EventStoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The stream was not at the version the writer expected: somebody else appended first. */
export class StreamVersionConflictError extends EventStoreError {
  readonly streamId: string;
  readonly expected: ExpectedVersionDescription;
  readonly actual: number | undefined;
  constructor(
    streamId: string,
    expected: ExpectedVersionDescription,
    actual: number | undefined,
    cause?: unknown,
  ) {
    super(
      'STREAM_VERSION_CONFLICT',
      `stream ${streamId} is at version ${actual ?? 'unknown'}, expected ${String(expected)}`,
      { cause },
    );
    this.streamId = streamId;
    this.expected = expected;
    this.actual = actual;
  }
}

/** An event with this id is already in the log: the append was a redelivery. */
export class DuplicateEventError extends EventStoreError {
  constructor(cause?: unknown) {
    super('DUPLICATE_EVENT', 'an event with this id has already been appended', { cause });
  }
}

export type ExpectedVersionDescription = number | 'no-stream' | 'any' | 'stream-exists';
