// The one place kafkajs is configured: client, log bridge to pino, and the shared retry policy.
// Everything else in the platform speaks to Kafka through this package.
import { Kafka, type KafkaConfig, type LogEntry, logLevel } from 'kafkajs';
import type { Logger } from 'pino';

export interface KafkaClientOptions {
  brokers: string[];
  clientId: string;
  logger?: Logger;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
}

function pinoLogCreator(logger: Logger) {
  return () =>
    ({ level, log }: LogEntry) => {
      const { message, ...extra } = log;
      const details = { kafka: extra };
      if (level === logLevel.ERROR) logger.error(details, message);
      else if (level === logLevel.WARN) logger.warn(details, message);
      else if (level === logLevel.INFO) logger.debug(details, message);
    };
}

export function createKafka(options: KafkaClientOptions): Kafka {
  const config: KafkaConfig = {
    brokers: options.brokers,
    clientId: options.clientId,
    connectionTimeout: options.connectionTimeoutMs ?? 3_000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    retry: { initialRetryTime: 300, maxRetryTime: 5_000, retries: 8 },
    logLevel: options.logger ? logLevel.WARN : logLevel.NOTHING,
    ...(options.logger ? { logCreator: pinoLogCreator(options.logger.child({ component: 'kafkajs' })) } : {}),
  };
  return new Kafka(config);
}
