// Property-based fuzzing of a service's write operations (tests only). Request bodies are generated
// from each operation's request schema in the service's own /openapi.json (the JSON Schema the zod
// validators produce), as valid-shaped values, boundary values and junk, and as mutations of a valid
// example (a field removed, replaced by junk or a wrong type, an unknown field added). Every answer
// must be below 500; every 4xx must be problem+json with a matching status (400 naming at least one
// field); and a refused request must leave the event log exactly as it was (no partial write).
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  prefixItems?: JsonSchema[];
  minItems?: number;
  maxItems?: number;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  $ref?: string;
  default?: unknown;
};

export interface FuzzOperation {
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The OpenAPI path, e.g. `/v1/referrals/{id}/needs`. */
  path: string;
  /** The concrete URLs to send to (real resources and unknown ids), picked at random per case. */
  urls: readonly string[];
  headers: Record<string, string>;
  /** Valid bodies to mutate; the schema alone rarely produces a body that passes every check. */
  examples?: readonly unknown[];
  /** Extra headers tried at random (e.g. If-Match values). */
  headerVariants?: readonly Record<string, string>[];
}

export interface FuzzReport {
  operation: string;
  cases: number;
  statuses: Record<number, number>;
}

const JUNK_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udc00x',
  '\u202e\u0041',
  '😀'.repeat(50),
  "' OR 1=1 --",
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '%00',
  '$' + '{jndi:ldap://x}',
  '__proto__',
  'x'.repeat(5_000),
  '1e309',
  'NaN',
  '2026-02-30',
  '9999-12-31',
  '0000-00-00',
  '2026-13-01T25:61:00Z',
];

const JUNK_NUMBERS = [
  0,
  -0,
  -1,
  1.5,
  -1e-9,
  2 ** 31,
  2 ** 53 + 2,
  -(2 ** 53) - 2,
  1e308,
  -1e308,
  Number.MIN_VALUE,
];

/** Junk for any position: values of the wrong type, edge-case strings and numbers, odd objects. */
export const junk: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom<unknown>(...JUNK_STRINGS, ...JUNK_NUMBERS, null, true, false, [], {}),
  },
  { weight: 2, arbitrary: fc.anything({ maxDepth: 2, withNullPrototype: true, withObjectString: true }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.constant({ __proto__: { polluted: true }, constructor: { prototype: {} } }) },
);

const ISO_DATE_PATTERN = /^\^\\d\{4\}-\\d\{2\}-\\d\{2\}\$$/;

function dateAround(years: number): fc.Arbitrary<string> {
  const now = Date.now();
  return fc
    .integer({ min: -years * 366, max: years * 366 })
    .map((days) => new Date(now + days * 86_400_000).toISOString().slice(0, 10));
}

function resolve(schema: JsonSchema, root: Record<string, JsonSchema>): JsonSchema {
  if (!schema.$ref) return schema;
  const name = schema.$ref.split('/').at(-1)!;
  return root[name] ?? {};
}

function stringArbitrary(schema: JsonSchema): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = Math.max(min, Math.min(schema.maxLength ?? 60, 200));
  if (schema.format === 'uuid') return fc.uuid();
  if (schema.format === 'date-time')
    return fc
      .integer({ min: -5 * 366, max: 366 })
      .map((days) => new Date(Date.now() + days * 86_400_000).toISOString());
  if (schema.format === 'date' || (schema.pattern && ISO_DATE_PATTERN.test(schema.pattern)))
    return fc.oneof(
      { weight: 4, arbitrary: dateAround(20) },
      { weight: 1, arbitrary: fc.stringMatching(/^\d{4}-\d{2}-\d{2}$/) },
    );
  if (schema.pattern) {
    try {
      const pattern = new RegExp(schema.pattern);
      return fc
        .stringMatching(pattern)
        .filter((value) => value.length >= min && value.length <= (schema.maxLength ?? Infinity));
    } catch {
      // A pattern fast-check cannot generate from: fall back to plain strings.
    }
  }
  const edges = [...new Set([min, max, Math.max(0, min - 1), max + 1])].map((length) => 'x'.repeat(length));
  return fc.oneof(
    { weight: 4, arbitrary: fc.string({ minLength: min, maxLength: max }) },
    { weight: 1, arbitrary: fc.constantFrom(...edges) },
  );
}

function numberArbitrary(schema: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const low = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum : -1e6);
  const high = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum : 1e6);
  const min = Math.max(low, -1e9);
  const max = Math.min(high, 1e9);
  const edges = [min, max, min - 1, max + 1, 0].filter((value) => Number.isFinite(value));
  return fc.oneof(
    {
      weight: 4,
      arbitrary: integer
        ? fc.integer({ min: Math.ceil(min), max: Math.floor(max) })
        : fc.double({ min, max, noNaN: true, noDefaultInfinity: true }),
    },
    { weight: 1, arbitrary: fc.constantFrom(...edges) },
  );
}

/** Values shaped by the schema (valid-looking, with boundaries); `junk` now and then at any depth. */
export function arbitraryFromSchema(
  schema: JsonSchema,
  root: Record<string, JsonSchema>,
  depth = 0,
): fc.Arbitrary<unknown> {
  const resolved = resolve(schema, root);
  const shaped = shapedArbitrary(resolved, root, depth);
  return depth === 0 ? shaped : fc.oneof({ weight: 12, arbitrary: shaped }, { weight: 1, arbitrary: junk });
}

function shapedArbitrary(
  schema: JsonSchema,
  root: Record<string, JsonSchema>,
  depth: number,
): fc.Arbitrary<unknown> {
  if (depth > 6) return fc.constant(null);
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives)
    return fc.oneof(...alternatives.map((option) => arbitraryFromSchema(option, root, depth + 1)));
  if (schema.allOf?.length) return arbitraryFromSchema(schema.allOf[0]!, root, depth + 1);
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.length > 1)
    return fc.oneof(...types.map((type) => shapedArbitrary({ ...schema, type }, root, depth)));
  switch (types[0]) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return numberArbitrary(schema, true);
    case 'number':
      return numberArbitrary(schema, false);
    case 'string':
      return stringArbitrary(schema);
    case 'array': {
      const item = schema.items ?? {};
      const minLength = schema.minItems ?? 0;
      const maxLength = Math.max(minLength, Math.min(schema.maxItems ?? 4, 8));
      return fc.array(arbitraryFromSchema(item, root, depth + 1), { minLength, maxLength });
    }
    case 'object':
    case undefined: {
      if (!schema.properties)
        return types[0] === 'object'
          ? fc.dictionary(fc.string({ maxLength: 8 }), junk, { maxKeys: 3 })
          : junk;
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, property] of Object.entries(schema.properties))
        model[key] = arbitraryFromSchema(property, root, depth + 1);
      return fc.record(model, { requiredKeys: (schema.required ?? []).filter((key) => key in model) });
    }
    default:
      return junk;
  }
}

type Mutation =
  | { kind: 'remove'; at: number }
  | { kind: 'replace'; at: number; value: unknown }
  | { kind: 'add'; at: number; key: string; value: unknown };

/** Paths of every container and leaf in a JSON value, in a fixed order. */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const paths: (string | number)[][] = [prefix];
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) paths.push(...pathsOf(item, [...prefix, index]));
  } else if (value && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) paths.push(...pathsOf(item, [...prefix, key]));
  return paths;
}

function applyMutation(example: unknown, mutation: Mutation): unknown {
  const copy = structuredClone(example);
  const paths = pathsOf(copy);
  const path = paths[mutation.at % paths.length]!;
  if (path.length === 0) {
    if (mutation.kind === 'replace') return mutation.value;
    if (mutation.kind === 'add' && copy && typeof copy === 'object' && !Array.isArray(copy))
      Object.defineProperty(copy, mutation.key, {
        value: mutation.value,
        enumerable: true,
        configurable: true,
        writable: true,
      });
    return copy;
  }
  let parent = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (mutation.kind === 'remove') {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else if (mutation.kind === 'replace') {
    parent[last] = mutation.value;
  } else {
    const target = parent[last];
    if (target && typeof target === 'object' && !Array.isArray(target))
      Object.defineProperty(target, mutation.key, {
        value: mutation.value,
        enumerable: true,
        configurable: true,
        writable: true,
      });
    else parent[last] = mutation.value;
  }
  return copy;
}

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('remove' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: junk }),
  fc.record({
    kind: fc.constant('add' as const),
    at: fc.nat(),
    key: fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('__proto__', 'constructor', 'extra')),
    value: junk,
  }),
);

function mutatedExamples(examples: readonly unknown[]): fc.Arbitrary<unknown> {
  return fc
    .tuple(fc.constantFrom(...examples), fc.array(mutation, { maxLength: 3 }))
    .map(([example, mutations]) => mutations.reduce(applyMutation, example));
}

/** Bodies that are not what a JSON parser expects: each is sent raw, as application/json. */
export const RAW_BODIES: readonly string[] = [
  '',
  'null',
  'true',
  '0',
  '"text"',
  '[]',
  '{',
  '{"a":1}garbage',
  '\ufeff{}',
  '{"a":1,"a":2}',
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '1e999',
  '{"n":1e999}',
  '{"n":-1e999}',
  `${'['.repeat(5_000)}${']'.repeat(5_000)}`,
  `${'{"a":'.repeat(2_000)}1${'}'.repeat(2_000)}`,
  '{"s":"\\ud800"}',
  '{"s":"\\u0000"}',
  `{"s":"${'x'.repeat(300 * 1024)}"}`,
];

interface OpenApiDocument {
  paths: Record<
    string,
    Record<string, { requestBody?: { content?: Record<string, { schema?: JsonSchema }> } }>
  >;
  components?: { schemas?: Record<string, JsonSchema> };
}

/** Every operation of the document that takes a body or changes state: what must be fuzzed. */
export function writeOperations(document: OpenApiDocument): string[] {
  const operations: string[] = [];
  for (const [path, item] of Object.entries(document.paths))
    for (const method of Object.keys(item))
      if (['post', 'put', 'patch', 'delete'].includes(method))
        operations.push(`${method.toUpperCase()} ${path}`);
  return operations.sort();
}

async function eventCount(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM events');
  return Number(rows[0]!.n);
}

/**
 * Runs `runs` generated requests against each operation through `app.inject` and checks the
 * invariants; throws (with the shrunk counterexample) on the first violation.
 */
export async function fuzzWrites(options: {
  app: FastifyInstance;
  pool: pg.Pool;
  operations: readonly FuzzOperation[];
  runs: number;
  seed?: number;
}): Promise<FuzzReport[]> {
  const document = (
    await options.app.inject({ method: 'GET', url: '/openapi.json' })
  ).json() as OpenApiDocument;
  const root = document.components?.schemas ?? {};
  const reports: FuzzReport[] = [];
  for (const operation of options.operations) {
    const item = document.paths[operation.path]?.[operation.method.toLowerCase()];
    if (!item) throw new Error(`${operation.method} ${operation.path} is not in /openapi.json`);
    const schema = item.requestBody?.content?.['application/json']?.schema;
    const generated = schema ? arbitraryFromSchema(schema, root) : fc.constant(undefined);
    const bodies = operation.examples?.length
      ? fc.oneof(
          { weight: 2, arbitrary: generated },
          { weight: 3, arbitrary: mutatedExamples(operation.examples) },
          { weight: 1, arbitrary: junk },
        )
      : fc.oneof({ weight: 4, arbitrary: generated }, { weight: 1, arbitrary: junk });
    const report: FuzzReport = { operation: `${operation.method} ${operation.path}`, cases: 0, statuses: {} };
    for (const raw of RAW_BODIES) {
      for (const url of operation.urls) {
        const before = await eventCount(options.pool);
        const response = await options.app.inject({
          method: operation.method,
          url,
          headers: { ...operation.headers, 'content-type': 'application/json' },
          payload: raw,
        });
        report.cases += 1;
        report.statuses[response.statusCode] = (report.statuses[response.statusCode] ?? 0) + 1;
        const where = `${operation.method} ${url} with ${JSON.stringify(raw.slice(0, 60))} → ${response.statusCode} ${response.body.slice(0, 300)}`;
        if (response.statusCode >= 500) throw new Error(`server error: ${where}`);
        if (
          response.statusCode >= 400 &&
          !String(response.headers['content-type']).includes('application/problem+json')
        )
          throw new Error(`not problem+json: ${where}`);
        if (response.statusCode >= 400 && (await eventCount(options.pool)) !== before)
          throw new Error(`partial write on a refused request: ${where}`);
      }
    }
    await fc.assert(
      fc.asyncProperty(
        bodies,
        fc.constantFrom(...operation.urls),
        fc.constantFrom<Record<string, string>>({}, ...(operation.headerVariants ?? [])),
        async (body, url, extraHeaders) => {
          const before = await eventCount(options.pool);
          const response = await options.app.inject({
            method: operation.method,
            url,
            headers: { ...operation.headers, ...extraHeaders, 'content-type': 'application/json' },
            payload: body === undefined ? undefined : JSON.stringify(body),
          });
          report.cases += 1;
          report.statuses[response.statusCode] = (report.statuses[response.statusCode] ?? 0) + 1;
          const where = `${operation.method} ${url} → ${response.statusCode} ${response.body.slice(0, 400)}`;
          if (response.statusCode >= 500) throw new Error(`server error: ${where}`);
          if (response.statusCode < 400) return;
          if (!String(response.headers['content-type']).includes('application/problem+json'))
            throw new Error(`not problem+json: ${where}`);
          const problem = response.json() as {
            type?: unknown;
            title?: unknown;
            status?: unknown;
            errors?: unknown[];
          };
          if (
            typeof problem.type !== 'string' ||
            typeof problem.title !== 'string' ||
            problem.status !== response.statusCode
          )
            throw new Error(`malformed problem: ${where}`);
          if (response.statusCode === 400 && !(Array.isArray(problem.errors) && problem.errors.length > 0))
            throw new Error(`400 without the failing fields: ${where}`);
          const after = await eventCount(options.pool);
          if (after !== before)
            throw new Error(`partial write (${after - before} events) on a refused request: ${where}`);
        },
      ),
      {
        numRuns: options.runs,
        ...(options.seed !== undefined ? { seed: options.seed } : {}),
        endOnFailure: false,
      },
    );
    reports.push(report);
  }
  return reports;
}

/**
 * `METHOD[,METHOD] /url` of the routes a service may serve without a token (ServiceHost.publicRoutes):
 * health, metrics, Swagger UI, the OpenAPI and AsyncAPI documents, and the web console's static
 * files (an empty shell: every data call it makes carries the user's token).
 */
export const UNAUTHENTICATED_ROUTE =
  /^((GET|HEAD),?)+ \/(health\/live|health\/ready|metrics|openapi\.json|asyncapi\.json|docs(\/.*)?|console(\/\*)?)$/;

/** Cases per operation: FUZZ_RUNS from the environment (longer runs), else the default given. */
export function fuzzRuns(fallback: number): number {
  const configured = Number(process.env.FUZZ_RUNS);
  return Number.isInteger(configured) && configured > 0 ? configured : fallback;
}

/**
 * Fuzzes every write operation of a service: `operations` must cover exactly the writes of its
 * OpenAPI document (a new write route without fuzzing fails), each operation must have been
 * answered with more than one status (a fuzzer that only ever reaches one answer proves little),
 * and each operation's status counts are printed as `SECURITY fuzz <service> ...` lines.
 */
export async function fuzzEveryWrite(
  service: string,
  options: { app: FastifyInstance; pool: pg.Pool; operations: readonly FuzzOperation[]; runs?: number },
): Promise<FuzzReport[]> {
  const document = (
    await options.app.inject({ method: 'GET', url: '/openapi.json' })
  ).json() as OpenApiDocument;
  const served = writeOperations(document);
  const fuzzed = options.operations.map((operation) => `${operation.method} ${operation.path}`).sort();
  const unfuzzed = served.filter((operation) => !fuzzed.includes(operation));
  const unknown = fuzzed.filter((operation) => !served.includes(operation));
  if (unfuzzed.length > 0 || unknown.length > 0)
    throw new Error(
      `${service}: write operations not fuzzed: ${unfuzzed.join(', ') || 'none'}; fuzzed but not served: ${unknown.join(', ') || 'none'}`,
    );
  const reports = await fuzzWrites({ ...options, runs: options.runs ?? fuzzRuns(1000) });
  for (const report of reports)
    process.stdout.write(
      `SECURITY fuzz ${service} ${report.operation}: ${report.cases} cases ${JSON.stringify(report.statuses)}\n`,
    );
  const oneAnswer = reports.filter((report) => Object.keys(report.statuses).length < 2);
  if (oneAnswer.length > 0)
    throw new Error(
      `${service}: answered with a single status only: ${oneAnswer.map((report) => `${report.operation} ${JSON.stringify(report.statuses)}`).join('; ')}`,
    );
  return reports;
}
