// The fault-injection scenarios of issue 10, in the order the chaos command runs them.
import type { Scenario } from '../scenario.ts';
import { brokerOutage } from './broker-outage.ts';
import { contention } from './contention.ts';
import { databaseRestart } from './database-restart.ts';
import { poisonMessage } from './poison-message.ts';
import { redelivery } from './redelivery.ts';
import { serviceCrash } from './service-crash.ts';
import { slowTransaction } from './slow-transaction.ts';
import { webhookOutage } from './webhook-outage.ts';

export const scenarios: readonly Scenario[] = [
  serviceCrash,
  brokerOutage,
  databaseRestart,
  redelivery,
  poisonMessage,
  webhookOutage,
  contention,
  slowTransaction,
];
