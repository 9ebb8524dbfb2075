#!/usr/bin/env bash
# A real Apache Kafka 4.x broker for rewind's tests: single node, KRaft (combined
# broker + controller), on 127.0.0.1, started with plain Java from jars that Maven fetches
# from Maven Central once into a cache directory. No Docker, no mocks.
#
#   test/kafka/broker.sh start            fetch (once), format, start, wait; last stdout line: 127.0.0.1:PORT
#   test/kafka/broker.sh status           print 127.0.0.1:PORT, or exit 1 when not running
#   test/kafka/broker.sh stop             stop the broker and remove its state directory
#   test/kafka/broker.sh fetch            only fetch the jars into the cache
#   test/kafka/broker.sh consumer-groups ARGS...   Kafka's own kafka-consumer-groups
#   test/kafka/broker.sh topics ARGS...            Kafka's own kafka-topics
#   test/kafka/broker.sh class CLASS ARGS...       any main class with the broker's classpath
#   (for the three tool commands, --bootstrap-server of the running broker is added when
#   ARGS do not name one)
#
# Environment:
#   REWIND_KAFKA_VERSION   Kafka version to fetch (default below; any 4.x)
#   REWIND_KAFKA_CACHE     jar cache (default ~/.cache/rewind-kafka)
#   REWIND_KAFKA_STATE     pid, config, data and logs (default /tmp/rewind-kafka)
#   REWIND_KAFKA_PORT      broker port (default: a free port)
#   REWIND_KAFKA_TIMEOUT   seconds to wait for the broker to answer (default 90)
#   REWIND_KAFKA_HEAP      broker heap (default 512m)
#   MAVEN_ARGS             extra arguments for mvn (e.g. -s settings.xml)
# Progress goes to stderr; only the address goes to stdout.
set -euo pipefail

KAFKA_VERSION="${REWIND_KAFKA_VERSION:-4.4.0}"
LOG4J_VERSION="${REWIND_KAFKA_LOG4J_VERSION:-2.25.5}"
CACHE_DIR="${REWIND_KAFKA_CACHE:-${HOME:-/tmp}/.cache/rewind-kafka}"
STATE_DIR="${REWIND_KAFKA_STATE:-/tmp/rewind-kafka}"
TIMEOUT="${REWIND_KAFKA_TIMEOUT:-90}"
HEAP="${REWIND_KAFKA_HEAP:-512m}"
LIB_DIR="$CACHE_DIR/kafka-$KAFKA_VERSION/libs"

log() { printf '[kafka-broker] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 2; }

need() { command -v "$1" >/dev/null 2>&1 || die "'$1' is not installed (needed: $2)"; }

# ---------------------------------------------------------------- fetch
fetch() {
  [[ -f "$LIB_DIR/.complete" ]] && return 0
  need java "running the broker (Java 17+)"
  need mvn "fetching the Kafka jars from Maven Central"
  mkdir -p "$CACHE_DIR"
  exec 8>"$CACHE_DIR/.fetch.lock"
  flock 8
  if [[ -f "$LIB_DIR/.complete" ]]; then exec 8>&-; return 0; fi
  local t0=$SECONDS work
  work="$(mktemp -d "$CACHE_DIR/.fetch.XXXXXX")"
  log "fetching Apache Kafka $KAFKA_VERSION jars with Maven into $LIB_DIR (once)"
  cat >"$work/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>rewind.test</groupId>
  <artifactId>rewind-kafka-broker</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <!-- the broker (kafka.Kafka, kafka.tools.StorageTool) and its runtime dependencies -->
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version></dependency>
    <!-- command-line tools: ConsumerGroupCommand, TopicCommand, ...; Connect is not needed -->
    <dependency>
      <groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId><version>$KAFKA_VERSION</version>
      <exclusions><exclusion><groupId>org.apache.kafka</groupId><artifactId>connect-runtime</artifactId></exclusion></exclusions>
    </dependency>
    <!-- logging as in the Kafka distribution: slf4j -> log4j2 -->
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>$LOG4J_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>$LOG4J_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-api</artifactId><version>$LOG4J_VERSION</version></dependency>
  </dependencies>
  <build><pluginManagement><plugins>
    <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-dependency-plugin</artifactId><version>3.8.1</version></plugin>
  </plugins></pluginManagement></build>
</project>
EOF
  # shellcheck disable=SC2086
  if ! mvn -B -q ${MAVEN_ARGS:-} -f "$work/pom.xml" dependency:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$work/libs" >"$work/mvn.log" 2>&1; then
    tail -n 40 "$work/mvn.log" >&2
    rm -rf "$work"
    exec 8>&-
    die "mvn could not fetch Apache Kafka $KAFKA_VERSION"
  fi
  ls "$work/libs"/kafka_2.13-*.jar >/dev/null 2>&1 || { rm -rf "$work"; die "mvn fetched no kafka_2.13 jar"; }
  touch "$work/libs/.complete"
  rm -rf "$LIB_DIR"
  mkdir -p "$(dirname "$LIB_DIR")"
  mv "$work/libs" "$LIB_DIR"
  rm -rf "$work"
  log "fetched $(find "$LIB_DIR" -name '*.jar' | wc -l) jars in $((SECONDS - t0)) s"
  exec 8>&-
}

# ---------------------------------------------------------------- helpers
# Two free TCP ports on 127.0.0.1 (broker, controller).
free_ports() {
  if command -v node >/dev/null 2>&1; then
    node -e '
      const net = require("net"); const s = [net.createServer(), net.createServer()];
      let n = 0; const ports = [];
      for (const x of s) x.listen(0, "127.0.0.1", () => { ports.push(x.address().port);
        if (++n === 2) { console.log(ports.join(" ")); for (const y of s) y.close(); } });'
  elif command -v python3 >/dev/null 2>&1; then
    python3 -c '
import socket
s = [socket.socket(), socket.socket()]
for x in s: x.bind(("127.0.0.1", 0))
print(" ".join(str(x.getsockname()[1]) for x in s))'
  else
    local a b
    while :; do a=$((20000 + RANDOM % 30000)); port_open "$a" || break; done
    while :; do b=$((20000 + RANDOM % 30000)); [[ $b != "$a" ]] && ! port_open "$b" && break; done
    echo "$a $b"
  fi
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") >/dev/null 2>&1; }

pid_alive() { [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null; }

current_pid() { cat "$STATE_DIR/broker.pid" 2>/dev/null || true; }
current_addr() { cat "$STATE_DIR/address" 2>/dev/null || true; }

# Prints the address and returns 0 when a broker started by this script is running.
running() {
  local pid addr
  pid="$(current_pid)"; addr="$(current_addr)"
  [[ -n "$addr" ]] && pid_alive "$pid" && port_open "${addr##*:}" && { echo "$addr"; return 0; }
  return 1
}

write_log4j() { # FILE TARGET(SYSTEM_OUT|SYSTEM_ERR) ROOTLEVEL
  cat >"$1" <<EOF
status = warn
appender.out.type = Console
appender.out.name = OUT
appender.out.target = $2
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = $3
rootLogger.appenderRef.out.ref = OUT
logger.statechange.name = state.change.logger
logger.statechange.level = warn
logger.request.name = kafka.request.logger
logger.request.level = warn
logger.kafkaapis.name = kafka.server.KafkaApis
logger.kafkaapis.level = warn
EOF
}

tools_java() { # CLASS ARGS...
  fetch
  local cfg="$CACHE_DIR/tools-log4j2.properties"
  [[ -f "$cfg" ]] || write_log4j "$cfg" SYSTEM_ERR warn
  exec java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$cfg" -cp "$LIB_DIR/*" "$@"
}

with_bootstrap() { # CLASS ARGS...: adds --bootstrap-server of the running broker unless given
  local cls="$1"; shift
  local a
  for a in "$@"; do
    if [[ "$a" == --bootstrap-server || "$a" == --bootstrap-server=* ]]; then tools_java "$cls" "$@"; fi
  done
  local addr
  addr="$(running)" || die "no broker is running (run: $0 start) and no --bootstrap-server was given"
  tools_java "$cls" --bootstrap-server "$addr" "$@"
}

# ---------------------------------------------------------------- start / stop
start() {
  mkdir -p "$STATE_DIR"
  exec 9>"$STATE_DIR/.lock"
  flock 9
  if running; then exec 9>&-; return 0; fi
  need java "running the broker (Java 17+)"
  fetch
  # Leftovers from a broker that died: clean them.
  local old
  old="$(current_pid)"
  if pid_alive "$old"; then kill "$old" 2>/dev/null || true; sleep 1; kill -9 "$old" 2>/dev/null || true; fi
  find "$STATE_DIR" -mindepth 1 -maxdepth 1 ! -name .lock -exec rm -rf {} +

  local t0=$SECONDS port cport ports
  ports="$(free_ports)"
  port="${REWIND_KAFKA_PORT:-${ports%% *}}"
  cport="${ports##* }"
  [[ "$cport" == "$port" ]] && cport=$((port + 1))
  mkdir -p "$STATE_DIR/data"
  cat >"$STATE_DIR/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$STATE_DIR/data
num.partitions=1
auto.create.topics.enable=false
delete.topic.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=5
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=5
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
# tests write events with old timestamps: never delete them by age
log.retention.ms=-1
log.retention.bytes=-1
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
EOF
  write_log4j "$STATE_DIR/log4j2.properties" SYSTEM_OUT info

  local cluster_id=-
  # a random Kafka Uuid (16 bytes, base64url); one starting with '-' would read as an option
  while [[ "$cluster_id" == -* ]]; do
    cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
  done
  log "formatting KRaft storage in $STATE_DIR/data (cluster $cluster_id)"
  if ! java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
      -Dlog4j2.configurationFile="$STATE_DIR/log4j2.properties" -cp "$LIB_DIR/*" \
      kafka.tools.StorageTool format -t "$cluster_id" -c "$STATE_DIR/server.properties" \
      >"$STATE_DIR/format.log" 2>&1; then
    cat "$STATE_DIR/format.log" >&2
    exec 9>&-
    die "formatting the storage failed"
  fi

  log "starting Apache Kafka $KAFKA_VERSION on 127.0.0.1:$port (controller $cport), logs: $STATE_DIR/broker.log"
  # setsid: its own session, so a Ctrl-C in the terminal that started it does not stop it.
  setsid java -Xms128m -Xmx"$HEAP" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$STATE_DIR/log4j2.properties" \
    -Dkafka.logs.dir="$STATE_DIR/logs" \
    -cp "$LIB_DIR/*" kafka.Kafka "$STATE_DIR/server.properties" \
    >"$STATE_DIR/broker.log" 2>&1 </dev/null 9>&- &
  local pid=$!
  echo "$pid" >"$STATE_DIR/broker.pid"

  local deadline=$((SECONDS + TIMEOUT))
  until port_open "$port" && grep -q 'Kafka Server started' "$STATE_DIR/broker.log"; do
    if ! pid_alive "$pid"; then
      tail -n 40 "$STATE_DIR/broker.log" >&2
      exec 9>&-
      die "the broker exited while starting"
    fi
    if (( SECONDS >= deadline )); then
      tail -n 40 "$STATE_DIR/broker.log" >&2
      kill "$pid" 2>/dev/null || true
      exec 9>&-
      die "the broker did not answer within ${TIMEOUT}s"
    fi
    sleep 0.3
  done
  echo "127.0.0.1:$port" >"$STATE_DIR/address"
  log "broker is up in $((SECONDS - t0)) s (pid $pid)"
  exec 9>&-
  echo "127.0.0.1:$port"
}

stop() {
  mkdir -p "$STATE_DIR"
  exec 9>"$STATE_DIR/.lock"
  flock 9
  local pid
  pid="$(current_pid)"
  if pid_alive "$pid"; then
    log "stopping broker (pid $pid)"
    kill "$pid" 2>/dev/null || true
    local i
    for ((i = 0; i < 150; i++)); do pid_alive "$pid" || break; sleep 0.2; done
    if pid_alive "$pid"; then log "still running after 30 s: killing"; kill -9 "$pid" 2>/dev/null || true; fi
  fi
  exec 9>&-
  rm -rf "$STATE_DIR"
}

cmd="${1:-}"
[[ $# -gt 0 ]] && shift
case "$cmd" in
  start) start ;;
  stop) stop ;;
  status) running || exit 1 ;;
  fetch) fetch; echo "$LIB_DIR" ;;
  consumer-groups) with_bootstrap org.apache.kafka.tools.consumer.group.ConsumerGroupCommand "$@" ;;
  topics) with_bootstrap org.apache.kafka.tools.TopicCommand "$@" ;;
  class) [[ $# -ge 1 ]] || die "usage: $0 class MAIN_CLASS [ARGS...]"; tools_java "$@" ;;
  *) echo "usage: $0 start|stop|status|fetch|consumer-groups ARGS...|topics ARGS...|class CLASS ARGS..." >&2; exit 2 ;;
esac
