// How a service process is started: the V8 heap settings every launcher uses (bin/up, the
// end-to-end harness, the benchmarks, the Docker image's CMD). Without them V8 sizes the heap for
// the machine (gigabytes here) and lets a busy service's resident memory drift to 350-450 MB; with
// them the same soak stays near 150-230 MB (bench/README.md). The old-space limit leaves the
// largest heap measured (matching with a 3,000-home registry) a wide margin; a process that did
// run out would exit and be restarted, and redelivery makes that safe.
export const SERVICE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2', '--max-old-space-size=192'];
