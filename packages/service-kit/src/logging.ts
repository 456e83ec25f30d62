// pino for every service: JSON lines, request ids, and redaction of anything personal that could
// reach a log line by accident (request bodies are never logged; these paths are a second net).
import { type Logger, pino } from 'pino';

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  '*.authorization',
  '*.dateOfBirth',
  '*.homePostcode',
  '*.homeLocation',
  '*.ethnicity',
  '*.childViews',
  '*.child',
  '*.locations',
  '*.familyAnchors',
  '*.avoidAreas',
  '*.secret',
  '*.password',
];

export function createLogger(options: {
  service: string;
  level: string;
  destination?: pino.DestinationStream;
}): Logger {
  return pino(
    {
      level: options.level,
      base: { service: options.service },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination,
  );
}
