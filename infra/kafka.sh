#!/usr/bin/env bash
# A real Apache Kafka broker (single node, KRaft) without Docker: jars from Maven Central,
# cached in .local/kafka/libs, started with `java`, stopped by pid, logging to
# .local/kafka/logs/server.log.
#
#   infra/kafka.sh start|stop|restart|status|brokers|logs|reset
#
# KAFKA_BROKERS set: an external broker is used and nothing is started here.
# KAFKA_PORT (default 9092) and KAFKA_CONTROLLER_PORT (default 9093) choose the local ports.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# KAFKA_INSTANCE names a separate broker (own ports, data, log and pid) sharing the jar cache;
# tests that stop a broker use their own instance so that nothing else is disturbed.
KAFKA_INSTANCE="${KAFKA_INSTANCE:-main}"
KAFKA_CACHE="$LOCAL_DIR/kafka"
KAFKA_DIR="$KAFKA_CACHE/$KAFKA_INSTANCE"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_VERSION="$(sed -n 's#.*<kafka.version>\(.*\)</kafka.version>.*#\1#p' "$INFRA_DIR/kafka/pom.xml")"
LIBS="$KAFKA_CACHE/libs-$KAFKA_VERSION"
DATA="$KAFKA_DIR/data-$KAFKA_VERSION"
LOGS="$KAFKA_DIR/logs"
PID_FILE="$KAFKA_DIR/kafka.pid"
HEAP="${KAFKA_HEAP:-512m}"

running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid; pid="$(cat "$PID_FILE")"
  kill -0 "$pid" 2>/dev/null && echo "$pid"
}

resolve_jars() {
  if [[ -f "$LIBS/.complete" ]]; then return 0; fi
  mkdir -p "$KAFKA_CACHE"
  exec 9>"$KAFKA_CACHE/.resolve.lock"
  flock 9
  if [[ -f "$LIBS/.complete" ]]; then return 0; fi
  command -v mvn >/dev/null || infra_fail "Maven (mvn) is needed to fetch the Kafka jars from Maven Central"
  command -v java >/dev/null || infra_fail "Java 17+ is needed to run the Kafka broker"
  infra_log "resolving Apache Kafka $KAFKA_VERSION from Maven Central into $LIBS"
  rm -rf "$LIBS"
  mvn -q -B -f "$INFRA_DIR/kafka/pom.xml" dependency:copy-dependencies -DoutputDirectory="$LIBS" \
    -Dmdep.includeScope=runtime >&2
  touch "$LIBS/.complete"
}

write_config() {
  mkdir -p "$DATA" "$LOGS"
  sed -e "s#@PORT@#$KAFKA_PORT#g" -e "s#@CONTROLLER_PORT@#$KAFKA_CONTROLLER_PORT#g" -e "s#@DATA_DIR@#$DATA#g" \
    "$INFRA_DIR/kafka/server.properties.template" > "$KAFKA_DIR/server.properties"
}

format_storage() {
  if [[ -f "$DATA/meta.properties" ]]; then return 0; fi
  local cluster_id
  cluster_id="$(java -cp "$LIBS/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)"
  infra_log "formatting KRaft storage (cluster $cluster_id)"
  java -cp "$LIBS/*" -Dlog4j2.configurationFile="$INFRA_DIR/kafka/log4j2.properties" -Dkafka.logs.dir="$LOGS" \
    kafka.tools.StorageTool format -t "$cluster_id" -c "$KAFKA_DIR/server.properties" --ignore-formatted >&2
}

start() {
  if [[ -n "${KAFKA_BROKERS:-}" ]]; then infra_log "using external broker(s) $KAFKA_BROKERS"; return 0; fi
  if pid="$(running_pid)"; then
    infra_log "Kafka $KAFKA_VERSION already running (pid $pid) on 127.0.0.1:$KAFKA_PORT"
    return 0
  fi
  if port_open 127.0.0.1 "$KAFKA_PORT"; then
    infra_fail "port $KAFKA_PORT is taken by another process; set KAFKA_PORT or KAFKA_BROKERS"
  fi
  resolve_jars
  write_config
  format_storage
  infra_log "starting Kafka $KAFKA_VERSION on 127.0.0.1:$KAFKA_PORT (log: $LOGS/server.log)"
  : > "$LOGS/stdout.log"
  nohup java "-Xms$HEAP" "-Xmx$HEAP" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$INFRA_DIR/kafka/log4j2.properties" -Dkafka.logs.dir="$LOGS" \
    -cp "$LIBS/*" kafka.Kafka "$KAFKA_DIR/server.properties" >"$LOGS/stdout.log" 2>&1 &
  echo $! > "$PID_FILE"
  wait_ready 90
}

wait_ready() {
  local seconds="$1" i
  for ((i = 0; i < seconds * 4; i++)); do
    running_pid >/dev/null || { tail -30 "$LOGS/stdout.log" "$LOGS/server.log" >&2 2>/dev/null; infra_fail "Kafka exited during start-up"; }
    if port_open 127.0.0.1 "$KAFKA_PORT" && grep -q 'Kafka Server started\|KafkaRaftServer.*started' "$LOGS/server.log" 2>/dev/null; then
      infra_log "Kafka ready on 127.0.0.1:$KAFKA_PORT"
      return 0
    fi
    sleep 0.25
  done
  infra_fail "Kafka did not become ready within ${seconds}s (see $LOGS/server.log)"
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then infra_log "Kafka is not running"; rm -f "$PID_FILE"; return 0; fi
  infra_log "stopping Kafka (pid $pid)"
  kill "$pid"
  for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  if kill -0 "$pid" 2>/dev/null; then infra_log "Kafka did not stop in 30s; killing"; kill -9 "$pid"; fi
  rm -f "$PID_FILE"
}

status() {
  if [[ -n "${KAFKA_BROKERS:-}" ]]; then echo "external: $KAFKA_BROKERS"; return 0; fi
  if pid="$(running_pid)"; then echo "running: Kafka $KAFKA_VERSION pid $pid on 127.0.0.1:$KAFKA_PORT"; else echo "stopped"; return 3; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  status) status ;;
  brokers) echo "${KAFKA_BROKERS:-127.0.0.1:$KAFKA_PORT}" ;;
  logs) tail -n "${2:-100}" "$LOGS/server.log" ;;
  reset) stop; rm -rf "$DATA"; infra_log "data removed" ;;
  *) echo "usage: $0 start|stop|restart|status|brokers|logs|reset" >&2; exit 2 ;;
esac
