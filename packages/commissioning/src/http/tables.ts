// JSON or CSV from the same rows. Every commissioning endpoint answers JSON by default and CSV
// with `?format=csv` or `Accept: text/csv`: nested fields become dotted column names, a suppressed
// count is written "[c]", and a text cell that a spreadsheet would run as a formula is quoted.

import { stringify } from 'csv-stringify/sync';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { SUPPRESSED_MARKER } from '../policy.ts';

export const formatParam = z
  .enum(['json', 'csv'])
  .optional()
  .describe('csv: download the rows as text/csv (the same as sending Accept: text/csv)');

/** An OpenAPI response with the JSON body and its CSV rendering. */
export function jsonOrCsv<T extends z.ZodType>(schema: T, description: string) {
  return {
    description,
    content: {
      'application/json': { schema },
      'text/csv': {
        schema: z.string().describe('the rows, one per line, nested fields as dotted column names'),
      },
    },
  };
}

export function wantsCsv(request: FastifyRequest, format: 'json' | 'csv' | undefined): boolean {
  if (format !== undefined) return format === 'csv';
  // Whichever of the two the client lists first (q-values are not weighed).
  const accept = String(request.headers.accept ?? '').toLowerCase();
  const csv = accept.indexOf('text/csv');
  if (csv < 0) return false;
  const json = accept.indexOf('application/json');
  return json < 0 || csv < json;
}

function isCountCell(value: unknown): value is { value: number | null; suppressed: boolean } {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length === 2 &&
    'value' in value &&
    'suppressed' in value
  );
}

/** Spreadsheets run a cell starting with = + - @ (or a tab or CR) as a formula (OWASP CSV injection). */
function safeText(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function flatten(value: unknown, prefix: string, out: Record<string, string | number | boolean>): void {
  if (isCountCell(value)) {
    out[prefix] = value.suppressed || value.value === null ? SUPPRESSED_MARKER : value.value;
  } else if (Array.isArray(value)) {
    out[prefix] = safeText(
      value
        .map((item) => (typeof item === 'object' && item !== null ? JSON.stringify(item) : String(item)))
        .join('; '),
    );
  } else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) flatten(child, prefix ? `${prefix}.${key}` : key, out);
  } else if (typeof value === 'string') {
    out[prefix] = safeText(value);
  } else if (typeof value === 'number' || typeof value === 'boolean') {
    out[prefix] = value;
  } else {
    out[prefix] = '';
  }
}

export function toCsv(rows: readonly object[]): string {
  const flat = rows.map((row) => {
    const out: Record<string, string | number | boolean> = {};
    flatten(row, '', out);
    return out;
  });
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const row of flat)
    for (const key of Object.keys(row))
      if (!seen.has(key)) {
        seen.add(key);
        columns.push(key);
      }
  return stringify(flat, { header: true, columns, cast: { boolean: (value) => String(value) } });
}

/** Sends the body as JSON, or its rows as a CSV download named `<name>.csv`. */
export function sendTable<B extends object>(
  request: FastifyRequest,
  reply: FastifyReply,
  format: 'json' | 'csv' | undefined,
  body: B,
  rows: readonly object[],
  name: string,
): B | string {
  reply.header('vary', 'accept');
  if (!wantsCsv(request, format)) return body;
  reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`);
  return toCsv(rows);
}
