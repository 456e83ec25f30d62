// A host authority's webhook endpoint on loopback for fault-injection runs: records every delivery
// attempt (webhook-id, type, the notice's data, when) and can be taken down, answering 503 or
// resetting the connection, to play a receiver that is unavailable for a while.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ReceiverMode = 'up' | 'unavailable' | 'reset';

export interface ReceivedWebhook {
  webhookId: string;
  type: string;
  data: Record<string, unknown>;
  at: number;
  /** What the receiver answered (0 when it reset the connection). */
  answered: number;
}

export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  mode: ReceiverMode = 'up';
  readonly #server: Server;
  #url = '';

  private constructor() {
    this.#server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        let body: { type?: string; data?: Record<string, unknown> } = {};
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          // recorded with an empty body
        }
        const answered = this.mode === 'up' ? 204 : this.mode === 'unavailable' ? 503 : 0;
        this.received.push({
          webhookId: String(request.headers['webhook-id'] ?? ''),
          type: body.type ?? '',
          data: body.data ?? {},
          at: Date.now(),
          answered,
        });
        if (answered === 0) request.socket.destroy();
        else response.writeHead(answered).end();
      });
    });
  }

  static async start(): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver();
    await new Promise<void>((resolve) => receiver.#server.listen(0, '127.0.0.1', resolve));
    receiver.#url = `http://127.0.0.1:${(receiver.#server.address() as AddressInfo).port}/placements/notices`;
    return receiver;
  }

  get url(): string {
    return this.#url;
  }

  /** Attempts answered 2xx, by webhook-id. */
  delivered(): Map<string, ReceivedWebhook[]> {
    const byId = new Map<string, ReceivedWebhook[]>();
    for (const hook of this.received) {
      if (hook.answered < 200 || hook.answered >= 300) continue;
      byId.set(hook.webhookId, [...(byId.get(hook.webhookId) ?? []), hook]);
    }
    return byId;
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
