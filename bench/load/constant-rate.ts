// An open-loop load generator, run as its own process: sends requests at a fixed rate, evenly
// spaced, over a pool of keep-alive connections, and times each response from the moment it was
// due to be sent, so a slow response cannot hold back the requests behind it and hide its effect
// (coordinated omission). autocannon's rate option sends each connection's share of a second as
// fast as it can and then waits for the next second, which measures bursts of concurrency rather
// than a rate; its correction for omission assumes a 1 ms interval whatever the rate.
//
// Input: one JSON argument (ConstantRateOptions); output: one JSON line (ConstantRateResult).
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface ConstantRateOptions {
  url: string;
  /** Requests per second. */
  rate: number;
  durationSeconds: number;
  /** Keep-alive connections at most. */
  connections: number;
  /** Request paths, used in turn. */
  paths: string[];
  headers: Record<string, string>;
  /** Unmeasured seconds at the same rate first. */
  warmUpSeconds: number;
}

export interface ConstantRateResult {
  /** Latency of each measured request in ms, from when it was due to its response's last byte. */
  latencies: number[];
  sent: number;
  ok: number;
  non2xx: number;
  errors: number;
  /** Requests per second actually completed while measuring. */
  achievedRate: number;
  responseBytes: number;
}

async function run(options: ConstantRateOptions): Promise<ConstantRateResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const target = new URL(options.url);
  const interval = 1000 / options.rate;
  const warmUp = Math.round(options.warmUpSeconds * options.rate);
  const total = warmUp + Math.round(options.durationSeconds * options.rate);
  const result: ConstantRateResult = {
    latencies: [],
    sent: 0,
    ok: 0,
    non2xx: 0,
    errors: 0,
    achievedRate: 0,
    responseBytes: 0,
  };
  let measuredStart = 0;
  let measuredEnd = 0;
  let pending = 0;
  const start = performance.now();
  await new Promise<void>((resolve) => {
    const finished = () => {
      pending--;
      if (pending === 0 && result.sent === total) resolve();
    };
    const send = (index: number, due: number) => {
      const measured = index >= warmUp;
      if (measured && measuredStart === 0) measuredStart = due;
      pending++;
      result.sent++;
      const req = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: options.paths[index % options.paths.length],
          headers: options.headers,
        },
        (res) => {
          res.on('data', (chunk: Buffer) => {
            if (measured) result.responseBytes += chunk.length;
          });
          res.on('end', () => {
            const now = performance.now();
            if (measured) {
              result.latencies.push(now - due);
              measuredEnd = Math.max(measuredEnd, now);
              if (res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300) result.ok++;
              else result.non2xx++;
            }
            finished();
          });
        },
      );
      req.on('error', () => {
        if (measured) result.errors++;
        finished();
      });
      req.end();
    };
    // Each tick sends every request that has fallen due, so timer lateness delays no request's
    // clock: its latency still counts from when it was due.
    let next = 0;
    const tick = () => {
      const now = performance.now();
      while (next < total && start + next * interval <= now) {
        send(next, start + next * interval);
        next++;
      }
      if (next < total) setTimeout(tick, Math.max(0, start + next * interval - performance.now()));
    };
    tick();
  });
  agent.destroy();
  const measuredCount = result.ok + result.non2xx;
  result.achievedRate = measuredCount / ((measuredEnd - measuredStart) / 1000);
  return result;
}

const result = await run(JSON.parse(process.argv[2] ?? '{}') as ConstantRateOptions);
process.stdout.write(`${JSON.stringify(result)}\n`);
