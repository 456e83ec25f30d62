// The service host: everything a service needs besides its domain code. A service hands over its
// name, migrations and a `setup` that registers routes, projections, consumers and schedules;
// the host wires fastify (zod validation, OpenAPI, problem+json, auth, idempotency, metrics,
// health), the event store with personal-data encryption, the outbox relay, Kafka consumers with
// inboxes, and graceful shutdown.
import { flushCompileCache, getCompileCacheDir } from 'node:module';
import { fileURLToPath } from 'node:url';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import {
  asyncApiDocument,
  cloudEventSource,
  cloudEventType,
  eventNameFromCloudEventType,
  type IntegrationEventName,
  integrationEvents,
  isIntegrationEventName,
  parseIntegrationEvent,
  type Role,
  type ServiceName,
  type SubjectErasure,
  topics as topicNames,
  topicPartitions,
} from '@placements/contracts';
import {
  type EventMetadata,
  EventSubscription,
  eventStoreMigrations,
  keyStoreMigrations,
  migrate,
  PersonalDataCipher,
  PostgresEventStore,
  PostgresKeyStore,
  type RecordedEvent,
} from '@placements/event-store';
import {
  createKafka,
  type EventHandler,
  ensureTopics,
  IdempotentConsumer,
  messagingMigrations,
  type OutboundMessage,
  OutboxRelay,
} from '@placements/messaging';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyRequest,
  type RawServerDefault,
} from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Kafka } from 'kafkajs';
import pg from 'pg';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { z } from 'zod';
import { type AuthRule, bearerToken, createTokenVerifier, hasAnyRole, type Principal } from './auth.ts';
import { type BaseConfig, loadConfig } from './config.ts';
import { startHeapTrimming } from './heap-trim.ts';
import { purgeIdempotencyKeys, purgeIdempotencySubject, registerIdempotency } from './idempotency.ts';
import { createLogger } from './logging.ts';
import { createRegistry, registerEventStoreMetrics, registerHttpMetrics } from './metrics.ts';
import {
  type FieldError,
  ProblemError,
  problemSchema,
  problems,
  sendProblem,
  toProblem,
} from './problems.ts';
import { COMPILE_ONLY } from './runtime.ts';
import { continueTrace, type TraceContext } from './tracing.ts';

/** The idempotency table. */
export const serviceKitMigrations = fileURLToPath(new URL('../migrations', import.meta.url));

/** Every migration folder of a service database, in order, including the service's own. */
export function serviceMigrationDirs(own: readonly string[], options: { keyStore?: boolean } = {}): string[] {
  return [
    eventStoreMigrations,
    ...(options.keyStore ? [keyStoreMigrations] : []),
    messagingMigrations,
    serviceKitMigrations,
    ...own,
  ];
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
    trace: TraceContext;
  }
  interface FastifyContextConfig {
    /** Who may call the route: `'public'` or the roles allowed. Every route must say. */
    auth?: AuthRule;
  }
}

export type App = FastifyInstance<
  RawServerDefault,
  import('http').IncomingMessage,
  import('http').ServerResponse,
  FastifyBaseLogger,
  ZodTypeProvider
>;

export interface ProjectionDefinition {
  name: string;
  streamTypes?: readonly string[];
  handle: (events: RecordedEvent[], client: pg.PoolClient) => Promise<void>;
  /** Empties the projection's tables for a rebuild from zero. */
  reset: (client: pg.PoolClient) => Promise<void>;
  batchSize?: number;
}

export interface ConsumerDefinition {
  /** Consumer group suffix: the group is `<service>.<name>`. */
  name: string;
  /** Base topic names from the catalogue (namespaced by the host). */
  topics: readonly string[];
  /**
   * The integration events the handler reads; every other event on the topics is passed over
   * without a transaction (see IdempotentConsumerOptions.accepts). Default: all of them.
   */
  reads?: readonly IntegrationEventName[] | ((name: IntegrationEventName) => boolean);
  handle: EventHandler;
  /**
   * How long waiting messages may share one transaction (IdempotentConsumerOptions.runBudgetMs):
   * 0 when each handler's own work dominates and what it writes should be readable the moment it
   * is done. Default 20 ms.
   */
  runBudgetMs?: number;
}

export interface ScheduleDefinition {
  name: string;
  everyMs: number;
  run: (now: Date) => Promise<void>;
}

/**
 * Removes an erased child from a service's read models, in the transaction of the consumer that
 * received SubjectErased (sealed fields are already unreadable: this deletes what is derived).
 */
export type SubjectErasureHandler = (erasure: SubjectErasure, client: pg.PoolClient) => Promise<void>;

/** Each request's trace context, from the moment fastify makes the request's logger. */
const requestTraces = new WeakMap<object, TraceContext>();

/** Consumer group suffix of the built-in SubjectErased consumer every service runs. */
export const SUBJECT_ERASURE_CONSUMER = 'subject-erasure';

export type ReadinessCheck = () => Promise<{ ok: boolean; detail?: string; critical?: boolean }>;

export interface ServiceOptions<S extends z.ZodType<object>> {
  name: ServiceName;
  title: string;
  description: string;
  version?: string;
  env: Record<string, string | undefined>;
  configSchema?: S;
  /** The service's own migration folders. */
  migrations: readonly string[];
  clock?: () => Date;
  logger?: Logger;
  /** Outbox routing; defaults to the catalogue route for this service's integration events. */
  route?: (event: RecordedEvent, defaults: OutboundMessage[], host: ServiceHost<S>) => OutboundMessage[];
}

export class ServiceHost<S extends z.ZodType<object> = z.ZodType<object>> {
  readonly name: ServiceName;
  readonly config: BaseConfig & z.output<S>;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly pool: pg.Pool;
  readonly keyStorePool: pg.Pool;
  readonly keyStore: PostgresKeyStore;
  readonly cipher: PersonalDataCipher;
  readonly store: PostgresEventStore;
  readonly kafka: Kafka;
  readonly app: App;
  readonly clock: () => Date;
  readonly #options: ServiceOptions<S>;
  readonly #projections: EventSubscription[] = [];
  readonly #projectionResets = new Map<string, ProjectionDefinition['reset']>();
  readonly #consumerDefinitions: ConsumerDefinition[] = [];
  readonly #consumers: IdempotentConsumer[] = [];
  readonly #schedules: ScheduleDefinition[] = [];
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #readiness = new Map<string, ReadinessCheck>();
  readonly #erasureHandlers: SubjectErasureHandler[] = [];
  /** `METHOD /url` of every route registered without authentication (tests assert the set). */
  readonly publicRoutes: string[] = [];
  #relay: OutboxRelay | undefined;
  #messaging: Promise<void> | undefined;
  #stopping = false;
  #started = false;
  #stopListening: (() => Promise<void>) | undefined;
  #stopTrimming: (() => void) | undefined;

  /** Builds a host whose plugins (OpenAPI among them) are loaded, ready for routes to be added. */
  static async create<S extends z.ZodType<object>>(options: ServiceOptions<S>): Promise<ServiceHost<S>> {
    const host = new ServiceHost(options);
    await host.app.after();
    return host;
  }

  /** Prefer {@link ServiceHost.create}: routes added before the plugins load are missing from OpenAPI. */
  constructor(options: ServiceOptions<S>) {
    this.#options = options;
    this.name = options.name;
    this.config = loadConfig(options.name, options.env, options.configSchema);
    const offset = this.config.CLOCK_OFFSET_MS;
    this.clock = options.clock ?? (offset ? () => new Date(Date.now() + offset) : () => new Date());
    this.logger = options.logger ?? createLogger({ service: options.name, level: this.config.LOG_LEVEL });
    this.registry = createRegistry(options.name);
    this.pool = newPool(this.config.DATABASE_URL, this.config.DATABASE_POOL_SIZE, this.logger);
    this.keyStorePool =
      this.config.KEYSTORE_DATABASE_URL === this.config.DATABASE_URL
        ? this.pool
        : newPool(this.config.KEYSTORE_DATABASE_URL, 4, this.logger);
    this.keyStore = new PostgresKeyStore(this.keyStorePool, {
      keyEncryptionKey: this.config.dataKeyEncryptionKey,
    });
    this.cipher = new PersonalDataCipher(this.keyStore);
    const appended = new Counter({
      name: 'event_store_appended_events_total',
      help: 'Events appended to the event store, by stream type (counted when the statement succeeds)',
      labelNames: ['stream_type'],
      registers: [this.registry],
    });
    this.store = new PostgresEventStore({
      pool: this.pool,
      cipher: this.cipher,
      onAppend: (streamType, events) => appended.inc({ stream_type: streamType }, events),
      ...(this.config.EVENTS_NOTIFY_CHANNEL ? { notifyChannel: this.config.EVENTS_NOTIFY_CHANNEL } : {}),
    });
    this.kafka = createKafka({
      brokers: this.config.KAFKA_BROKERS,
      clientId: `placements-${options.name}`,
      logger: this.logger,
    });
    this.app = this.#createApp();
    this.#consumerDefinitions.push({
      name: SUBJECT_ERASURE_CONSUMER,
      topics: [topicNames.subject],
      handle: async (message, client) => {
        const event = parseIntegrationEvent(message.type, message.data);
        if (event.name !== 'SubjectErased') return;
        await this.purgeSubject(event.data, client);
      },
    });
  }

  /** Registers what this service removes from its read models when a child is erased. */
  onSubjectErased(handler: SubjectErasureHandler): void {
    this.#erasureHandlers.push(handler);
  }

  /**
   * Purges an erased child: drops this process's cached copy of the key (other instances keep it
   * at most the key cache's lifetime), deletes stored idempotent responses about the child, and
   * runs the service's own purges. Idempotent: a redelivered SubjectErased changes nothing more.
   */
  async purgeSubject(erasure: SubjectErasure, client: pg.PoolClient): Promise<void> {
    this.keyStore.forget(erasure.subjectId);
    const responses = await purgeIdempotencySubject(client, erasure.subjectId);
    for (const handler of this.#erasureHandlers) await handler(erasure, client);
    this.keyStore.forget(erasure.subjectId);
    this.logger.info(
      { erasureId: erasure.erasureId, storedResponses: responses, purges: this.#erasureHandlers.length },
      'erased child purged from read models',
    );
  }

  /** Topic name in this deployment (tests namespace them). */
  topic(base: string): string {
    const namespace = this.#options.env.KAFKA_TOPIC_NAMESPACE;
    return namespace ? `${namespace}.${base}` : base;
  }

  /** Event metadata for a write made by an HTTP request. */
  metadata(request: FastifyRequest, extra: EventMetadata = {}): EventMetadata {
    return {
      correlationId: request.id,
      traceparent: request.trace.traceparent,
      ...(request.principal ? { actor: { sub: request.principal.sub, org: request.principal.org } } : {}),
      ...extra,
    };
  }

  /** The authenticated principal of a route that is not public. */
  principal(request: FastifyRequest): Principal {
    if (!request.principal) throw problems.unauthorized('authentication required');
    return request.principal;
  }

  projection(definition: ProjectionDefinition): EventSubscription {
    const subscription = new EventSubscription({
      name: `projection:${definition.name}`,
      store: this.store,
      handle: definition.handle,
      decrypt: false,
      logger: this.logger,
      ...(definition.streamTypes ? { streamTypes: definition.streamTypes } : {}),
      ...(definition.batchSize ? { batchSize: definition.batchSize } : {}),
    });
    this.#projections.push(subscription);
    this.#projectionResets.set(subscription.name, definition.reset);
    return subscription;
  }

  consume(definition: ConsumerDefinition): void {
    this.#consumerDefinitions.push(definition);
  }

  schedule(definition: ScheduleDefinition): void {
    this.#schedules.push(definition);
  }

  /**
   * A Prometheus gauge computed when /metrics is scraped (for example from a read model): a number,
   * or labelled values.
   */
  gauge(
    name: string,
    help: string,
    collect: () => Promise<number | { labels: Record<string, string>; value: number }[]>,
    labelNames: string[] = [],
  ): void {
    const logger = this.logger;
    new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        try {
          const value = await collect();
          if (typeof value === 'number') this.set(value);
          else {
            this.reset();
            for (const sample of value) this.set(sample.labels, sample.value);
          }
        } catch (error) {
          logger.warn({ err: error, metric: name }, 'metric could not be computed');
        }
      },
    });
  }

  readiness(name: string, check: ReadinessCheck): void {
    this.#readiness.set(name, check);
  }

  get relay(): OutboxRelay | undefined {
    return this.#relay;
  }

  get projections(): readonly EventSubscription[] {
    return this.#projections;
  }

  /** Resolves once topics exist and the relay and consumers are running. */
  get messagingReady(): Promise<void> {
    return this.#messaging ?? Promise.reject(new Error('the service has not been started'));
  }

  /** Applies every projection up to the current horizon (tests and ops). */
  async catchUpProjections(): Promise<void> {
    for (const projection of this.#projections) await projection.catchUp();
  }

  /** Empties and replays every projection from the start of the log. */
  async rebuildProjections(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const projection of this.#projections) {
      counts[projection.name] = await projection.rebuild(this.#projectionResets.get(projection.name)!);
    }
    return counts;
  }

  /** Starts background work: projections, schedules, and (in the background) Kafka. */
  async start(options: { messaging?: boolean } = {}): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    await this.app.ready();
    this.#stopTrimming = startHeapTrimming({ logger: this.logger, registry: this.registry });
    if (!this.config.RUN_BACKGROUND) return;
    if (this.config.EVENTS_NOTIFY_CHANNEL)
      this.#stopListening = await this.store.listen(this.config.DATABASE_URL);
    for (const projection of this.#projections) projection.start();
    for (const schedule of this.#schedules) this.#startSchedule(schedule);
    this.#startSchedule({
      name: 'purge-idempotency-keys',
      everyMs: 60 * 60_000,
      run: async () => void (await purgeIdempotencyKeys(this.pool)),
    });
    if (options.messaging ?? true) this.#messaging = this.#startMessaging();
  }

  async listen(): Promise<string> {
    return this.app.listen({ host: this.config.HOST, port: this.config.PORT });
  }

  /** Drains HTTP, finishes the message and relay chunk in hand, then closes connections. */
  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#stopTrimming?.();
    await this.app.close();
    for (const timer of this.#timers) clearInterval(timer);
    await Promise.allSettled(this.#consumers.map((consumer) => consumer.stop()));
    await Promise.allSettled(this.#projections.map((projection) => projection.stop()));
    await this.#relay?.stop();
    await this.#messaging?.catch(() => undefined);
    await this.#stopListening?.();
    await this.pool.end();
    if (this.keyStorePool !== this.pool) await this.keyStorePool.end();
  }

  #startSchedule(schedule: ScheduleDefinition): void {
    let running = false;
    const tick = async () => {
      if (running || this.#stopping) return;
      running = true;
      try {
        await schedule.run(this.clock());
      } catch (error) {
        this.logger.error({ err: error, schedule: schedule.name }, 'scheduled task failed');
      } finally {
        running = false;
      }
    };
    this.#timers.push(setInterval(tick, schedule.everyMs));
    void tick();
  }

  async #startMessaging(): Promise<void> {
    const specs = Object.values(topicNames).map((topic) => ({
      topic: this.topic(topic),
      partitions: topicPartitions,
    }));
    for (let attempt = 1; !this.#stopping; attempt++) {
      try {
        await ensureTopics(this.kafka, specs);
        break;
      } catch (error) {
        this.logger.warn(
          { err: error, attempt },
          'Kafka not reachable yet; topics not provisioned, retrying',
        );
        await sleep(Math.min(1_000 * attempt, 10_000));
      }
    }
    if (this.#stopping) return;
    const route = this.#options.route;
    this.#relay = new OutboxRelay({
      name: `relay:${this.name}`,
      store: this.store,
      lockConnectionString: this.config.DATABASE_URL,
      kafka: this.kafka,
      logger: this.logger,
      registry: this.registry,
      route: (event) => {
        const defaults = this.catalogRoute(event);
        return route ? route(event, defaults, this) : defaults;
      },
    });
    this.#relay.start();
    for (const definition of this.#consumerDefinitions) {
      const consumer = new IdempotentConsumer({
        kafka: this.kafka,
        groupId: `${this.config.KAFKA_GROUP_PREFIX}${this.name}.${definition.name}`,
        topics: definition.topics.map((topic) => this.topic(topic)),
        pool: this.pool,
        cipher: this.cipher,
        logger: this.logger,
        registry: this.registry,
        handle: definition.handle,
        ...(definition.reads ? { accepts: acceptsFrom(definition.reads) } : {}),
        ...(definition.runBudgetMs === undefined ? {} : { runBudgetMs: definition.runBudgetMs }),
        afterCommit: (_event, client) => this.store.notifyCommittedOn(client),
      });
      this.#consumers.push(consumer);
      for (let attempt = 1; !this.#stopping; attempt++) {
        try {
          await consumer.start();
          break;
        } catch (error) {
          this.logger.warn(
            { err: error, consumer: definition.name, attempt },
            'consumer could not start; retrying',
          );
          await sleep(Math.min(1_000 * attempt, 10_000));
        }
      }
    }
  }

  /** Messages for one of this service's integration events, as the catalogue defines them. */
  catalogRoute(event: RecordedEvent): OutboundMessage[] {
    if (!isIntegrationEventName(event.type)) return [];
    const definition = integrationEvents[event.type];
    if (definition.service !== this.name) return [];
    const key = String((event.data as Record<string, unknown>)[definition.key]);
    return [
      {
        topic: this.topic(definition.topic),
        key,
        attributes: {
          id: event.eventId,
          source: cloudEventSource(this.name),
          type: cloudEventType(event.type),
          time: event.recordedAt.toISOString(),
          subject: key,
          ...(event.metadata.traceparent ? { traceparent: event.metadata.traceparent } : {}),
        },
      },
    ];
  }

  #createApp(): App {
    const config = this.config;
    const app = Fastify({
      loggerInstance: this.logger as FastifyBaseLogger,
      bodyLimit: config.BODY_LIMIT_BYTES,
      forceCloseConnections: 'idle',
      return503OnClosing: true,
      requestIdHeader: 'x-request-id',
      routerOptions: { ignoreTrailingSlash: true },
      // The request's logger carries its trace id from the start: one child logger a request, and
      // fastify's own lines ("incoming request", "request completed") carry the trace too.
      childLoggerFactory: (logger, bindings, options, raw) => {
        const trace = continueTrace(raw.headers.traceparent as string | undefined);
        requestTraces.set(raw, trace);
        return logger.child({ ...bindings, trace_id: trace.traceId }, options);
      },
    }).withTypeProvider<ZodTypeProvider>() as unknown as App;
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    // JSON only: anything else is 415, never parsed as a string that then fails validation.
    app.removeContentTypeParser('text/plain');
    // A response sent while the host stops closes its connection: a client's keep-alive socket would
    // otherwise hold the server open (fastify's keep-alive timeout is 72 s) past the shutdown deadline.
    app.addHook('onSend', async (_request, reply) => {
      if (this.#stopping) reply.header('connection', 'close');
    });

    const verify = createTokenVerifier({
      jwtSecret: config.AUTH_JWT_SECRET,
      jwksUrl: config.AUTH_JWKS_URL,
      issuer: config.AUTH_ISSUER,
      audience: config.AUTH_AUDIENCE,
      clockSkewSeconds: config.AUTH_CLOCK_SKEW_SECONDS,
    });

    app.decorateRequest('principal', undefined);
    app.decorateRequest('trace', undefined as unknown as TraceContext);

    app.addHook('onRoute', (route) => {
      const methods = [route.method].flat().join(',');
      if (route.url.startsWith('/docs')) {
        route.config = { ...route.config, auth: 'public' };
        this.publicRoutes.push(`${methods} ${route.url}`);
        return;
      }
      const auth = route.config?.auth;
      if (!auth)
        throw new Error(`route ${route.method} ${route.url} has no authorization rule (config.auth)`);
      if (auth === 'public') this.publicRoutes.push(`${methods} ${route.url}`);
      if (auth !== 'public') {
        route.schema = route.schema ?? {};
        const schema = route.schema as { security?: unknown; response?: Record<number, unknown> };
        schema.security = [{ bearerAuth: [] }];
        schema.response = schema.response ?? {};
        const responses = schema.response;
        for (const status of [400, 401, 403, 404, 409, 412, 415, 422, 428, 429, 503])
          responses[status] ??= problemSchema;
      }
    });

    app.addHook('onRequest', async (request, reply) => {
      request.trace =
        requestTraces.get(request.raw) ?? continueTrace(request.headers.traceparent as string | undefined);
      reply.header('traceparent', request.trace.traceparent);
      const auth = request.routeOptions.config?.auth;
      if (!auth || auth === 'public') return;
      const principal = await verify(bearerToken(request));
      if (!hasAnyRole(principal, auth.roles as Role[])) {
        throw problems.forbidden(`this needs one of the roles: ${auth.roles.join(', ')}`);
      }
      request.principal = principal;
      // Who called: identifiers only (the token's subject, organisation and roles), never the token.
      request.log.debug(
        { sub: principal.sub, org: principal.org, roles: principal.roles },
        'request authenticated',
      );
    });

    // jsonb cannot hold NUL characters or lone surrogates, and no body is nested deeply: refuse them
    // as bad input, not a 500.
    app.addHook('preValidation', async (request) => {
      const bad = findUnstorableString(request.body, 'body');
      if (bad) throw problems.validation([bad]);
    });

    app.setErrorHandler((error, request, reply) => {
      const problem = toProblem(error);
      if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
      else request.log.debug({ status: problem.status, type: problem.type }, 'request refused');
      return sendProblem(reply, problem, request);
    });
    app.setNotFoundHandler((request, reply) =>
      sendProblem(
        reply,
        new ProblemError(404, 'route-not-found', 'No such route', {
          detail: `${request.method} ${request.url.split('?')[0]} is not a route of this service`,
        }),
        request,
      ),
    );

    void app.register(fastifyHelmet, { global: true, contentSecurityPolicy: false });
    if (config.RATE_LIMIT_PER_MINUTE > 0) {
      // Per organisation, after authentication: one LA's integration cannot starve another's.
      void app.register(fastifyRateLimit, {
        global: true,
        hook: 'preHandler',
        max: config.RATE_LIMIT_PER_MINUTE,
        timeWindow: 60_000,
        keyGenerator: (request) => request.principal?.org ?? request.ip,
        allowList: (request) => request.principal === undefined,
        errorResponseBuilder: (_request, context) =>
          new ProblemError(429, 'rate-limited', 'Too many requests', {
            detail: `at most ${context.max} requests a minute per organisation; retry after ${context.after}`,
            headers: { 'retry-after': String(Math.ceil(context.ttl / 1000)) },
          }),
      });
    }
    void app.register(fastifySwagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: this.#options.title,
          description: this.#options.description,
          version: this.#options.version ?? '1.0.0',
        },
        components: {
          securitySchemes: {
            bearerAuth: {
              type: 'http',
              scheme: 'bearer',
              bearerFormat: 'JWT',
              description: 'claims: sub, org, roles',
            },
          },
        },
      },
      transform: jsonSchemaTransform,
      transformObject: jsonSchemaTransformObject,
    });
    void app.register(fastifySwaggerUi, { routePrefix: '/docs' });
    registerIdempotency(app, this.pool, this.cipher);
    registerHttpMetrics(app, this.registry);
    registerEventStoreMetrics(this.registry, this.store);

    app.get('/openapi.json', { config: { auth: 'public' }, schema: { hide: true } }, async () =>
      app.swagger(),
    );
    app.get('/asyncapi.json', { config: { auth: 'public' }, schema: { hide: true } }, async () =>
      asyncApiDocument({
        brokers: config.KAFKA_BROKERS.join(','),
        version: this.#options.version ?? '1.0.0',
      }),
    );
    app.get('/health/live', { config: { auth: 'public' }, schema: { hide: true } }, async () => ({
      status: 'ok',
    }));
    app.get(
      '/health/ready',
      { config: { auth: 'public' }, schema: { hide: true } },
      async (_request, reply) => {
        const report = await this.#readinessReport();
        reply.status(report.status === 'unavailable' ? 503 : 200);
        return report;
      },
    );
    return app;
  }

  async #readinessReport(): Promise<{
    status: 'ready' | 'degraded' | 'unavailable';
    checks: Record<string, { ok: boolean; detail?: string }>;
  }> {
    const checks: Record<string, { ok: boolean; detail?: string; critical?: boolean }> = {};
    const database = async (pool: pg.Pool) => {
      try {
        await withTimeout(pool.query('SELECT 1'), 2_000);
        return { ok: true, critical: true };
      } catch (error) {
        return { ok: false, critical: true, detail: error instanceof Error ? error.message : String(error) };
      }
    };
    checks.database = await database(this.pool);
    if (this.keyStorePool !== this.pool) checks.keyStore = await database(this.keyStorePool);
    const relay = this.#relay?.status;
    // An idle relay has nothing to publish and so no error to report: the consumers, which talk to
    // the broker every few seconds even when idle, tell whether it still answers.
    const silent = this.#consumers.filter(
      (consumer) =>
        consumer.running && Date.now() - (consumer.lastContactAt?.getTime() ?? 0) > BROKER_SILENCE_MS,
    );
    checks.kafka = relay
      ? relay.lastError
        ? { ok: false, detail: `relay cannot publish: ${relay.lastError}` }
        : silent.length > 0
          ? {
              ok: false,
              detail: `no answer from the broker for ${Math.round((Date.now() - (silent[0]!.lastContactAt?.getTime() ?? 0)) / 1000)} s (consumer ${silent[0]!.groupId})`,
            }
          : { ok: true }
      : { ok: false, detail: this.config.RUN_BACKGROUND ? 'connecting' : 'background work disabled' };
    checks.relay = relay?.running
      ? { ok: true, detail: relay.active ? 'active' : 'standby (another instance holds the relay lock)' }
      : { ok: false, detail: 'not running' };
    for (const [name, check] of this.#readiness) {
      try {
        checks[name] = await withTimeout(check(), 2_000);
      } catch (error) {
        checks[name] = { ok: false, detail: error instanceof Error ? error.message : String(error) };
      }
    }
    const failing = Object.values(checks).filter((check) => !check.ok);
    const status = failing.some((check) => check.critical)
      ? 'unavailable'
      : failing.length > 0
        ? 'degraded'
        : 'ready';
    return {
      status,
      checks: Object.fromEntries(
        Object.entries(checks).map(([name, { ok, detail }]) => [name, detail ? { ok, detail } : { ok }]),
      ),
    };
  }
}

/**
 * How long a running consumer may go without an answer from the broker before readiness reports
 * Kafka degraded: idle consumers fetch at least every 5 s (kafkajs maxWaitTime) and heartbeat every
 * 3 s, so this is three missed heartbeats after an empty fetch.
 */
const BROKER_SILENCE_MS = 15_000;

function newPool(connectionString: string, max: number, logger: Logger): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max,
    connectionTimeoutMillis: 3_000,
    idleTimeoutMillis: 30_000,
    // A query on a dead connection fails fast instead of hanging the request.
    query_timeout: 15_000,
  });
  pool.on('error', (error) => logger.warn({ err: error }, 'idle database connection lost'));
  // The pool listens for errors only on idle clients: a connection the server drops while a client
  // is checked out (a restart, a failover, mid-transaction) would otherwise raise an unhandled
  // 'error' and end the process. The query in flight fails as usual, and the pool discards the
  // broken client when it is released.
  pool.on('connect', (client) => {
    client.on('error', (error) => logger.warn({ err: error }, 'database connection lost while in use'));
  });
  return pool;
}

/** Deeper than any body the platform accepts; a deeper one is refused before anything walks it. */
const MAX_BODY_DEPTH = 32;

/**
 * The first string (or key) jsonb cannot store, or a body nested too deeply, as a field error.
 * Iterative: a hostile body nested thousands of levels deep must not exhaust the stack.
 */
function findUnstorableString(value: unknown, path: string): FieldError | undefined {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path, depth: 0 }];
  const unstorable = (text: string) =>
    // biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what is being detected.
    /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);
  const message = 'contains a character that cannot be stored (NUL or an unpaired surrogate)';
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (typeof next.value === 'string') {
      if (unstorable(next.value)) return { path: next.path, message };
      continue;
    }
    if (!next.value || typeof next.value !== 'object') continue;
    if (next.depth >= MAX_BODY_DEPTH)
      return { path: next.path, message: `is nested more than ${MAX_BODY_DEPTH} levels deep` };
    const entries = Array.isArray(next.value)
      ? next.value.map((item, index) => [String(index), item] as const)
      : Object.entries(next.value);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i]!;
      const childPath = `${next.path}.${key}`;
      if (!Array.isArray(next.value) && unstorable(key)) return { path: childPath, message };
      stack.push({ value: child, path: childPath, depth: next.depth + 1 });
    }
  }
  return undefined;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Migrates the service database (and the shared key store, when configured) before start. */
export async function migrateService(
  name: string,
  env: Record<string, string | undefined>,
  ownMigrations: readonly string[],
  log: (message: string) => void = () => {},
): Promise<void> {
  const migrationUrl = env.MIGRATION_DATABASE_URL;
  if (!migrationUrl) return;
  const serviceRole = env.DATABASE_SERVICE_ROLE ?? userOf(env.DATABASE_URL);
  const keyStoreShared = !env.KEYSTORE_DATABASE_URL || env.KEYSTORE_DATABASE_URL === env.DATABASE_URL;
  await migrate({
    databaseUrl: migrationUrl,
    dirs: serviceMigrationDirs(ownMigrations, { keyStore: keyStoreShared }),
    ...(serviceRole ? { serviceRole } : {}),
    log,
  });
  if (!keyStoreShared && env.KEYSTORE_MIGRATION_DATABASE_URL) {
    const keyStoreRole = userOf(env.KEYSTORE_DATABASE_URL);
    await migrate({
      databaseUrl: env.KEYSTORE_MIGRATION_DATABASE_URL,
      dirs: [keyStoreMigrations],
      migrationsTable: 'keystore_migrations',
      ...(keyStoreRole ? { serviceRole: keyStoreRole } : {}),
      log,
    });
  }
  void name;
}

function userOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return decodeURIComponent(new URL(url).username) || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Process entry of a service (its server.ts): migrate, build, start, listen, and stop cleanly on
 * SIGTERM or SIGINT.
 */
/** What runService needs of a host, whatever the service's own configuration. */
export interface RunnableService {
  readonly logger: Logger;
  start(): Promise<void>;
  listen(): Promise<string>;
  stop(): Promise<void>;
}

export async function runService(
  build: (env: Record<string, string | undefined>) => Promise<RunnableService> | RunnableService,
  options: { name: string; migrations: readonly string[] },
): Promise<void> {
  // Every module the service runs is loaded by now (its entry imports them): write them to Node's
  // compile cache and stop (runtime.ts, prepareCompileCache).
  if (process.argv.includes(COMPILE_ONLY)) {
    if (!getCompileCacheDir()) {
      console.error(`${COMPILE_ONLY} writes Node's compile cache: set NODE_COMPILE_CACHE to its directory`);
      process.exit(2);
    }
    flushCompileCache();
    process.exit(0);
  }
  let host: RunnableService;
  try {
    await migrateService(options.name, process.env, options.migrations);
    host = await build(process.env);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
  const shutdown = async (signal: string) => {
    host.logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 30_000);
    force.unref();
    await host.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  await host.start();
  const address = await host.listen();
  host.logger.info({ address, docs: `${address}/docs` }, `${options.name} service listening`);
}

/**
 * A CloudEvent type filter from the events a consumer reads. A type outside the catalogue is let
 * through, so the handler decides (and a malformed event is dead-lettered, not silently passed).
 */
function acceptsFrom(
  reads: readonly IntegrationEventName[] | ((name: IntegrationEventName) => boolean),
): (cloudEventType: string) => boolean {
  const read = typeof reads === 'function' ? reads : (name: IntegrationEventName) => reads.includes(name);
  return (type) => {
    const name = eventNameFromCloudEventType(type);
    return name === undefined || read(name);
  };
}
