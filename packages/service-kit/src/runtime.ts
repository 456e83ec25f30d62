// How a service process is started: the V8 heap settings every launcher uses (bin/up, the
// end-to-end harness, the benchmarks, the Docker image's CMD). Without them V8 sizes the heap for
// the machine (gigabytes here) and a 10-minute REST soak took the services to 362-461 MB resident;
// with them the same soak peaked at 153-242 MB (bench/README.md). Under these limits matching, with
// a 3,000-home registry, came through that soak and the full fault-injection suite; a process that
// did run out of heap would exit and be restarted, and redelivery makes that safe.
export const SERVICE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2', '--max-old-space-size=192'];
