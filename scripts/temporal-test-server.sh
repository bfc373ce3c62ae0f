#!/usr/bin/env bash
# Temporal's time-skipping test server (the Java one, io.temporal:temporal-test-server from Maven
# Central) for tests that wait days or weeks: TestWorkflowEnvironment.createTimeSkipping() would
# download a binary from GitHub, which this machine cannot reach, so it is given this instead as
# `server: { executable: { type: 'existing-path', path } }` (see test/timeSkipping.ts).
#
#   scripts/temporal-test-server.sh [ensure]  fetch the jars if needed (one Maven run, ~30 s cold),
#                                             write the wrapper; prints the wrapper's path
#   scripts/temporal-test-server.sh path      prints the wrapper's path (nothing is fetched)
#
# The wrapper takes what the SDK (sdk-core's TestServerConfig) passes to an existing-path test
# server: `PORT [EXTRA_ARGS...]`, i.e. the port and then `server.extraArgs` (the Java server knows
# one: --enable-time-skipping). It execs java, so the SDK's kill on teardown ends the JVM itself;
# a watchdog ends the JVM too if the process that started it dies without tearing down.
# TEMPORAL_TEST_SERVER_JAVA_OPTS (read when the wrapper runs) adds JVM options.
#
# Needs java (>= 8; >= 13 for the class-data archive that halves start-up) and mvn (Maven's own
# cache, ~/.m2, holds the downloads). TEMPORAL_TEST_SERVER_VERSION overrides the pinned version.
#
# Files: $DIALER_CACHE/temporal-test-server/{pom.xml,jars/,cds.jsa,test-server,.installed},
# $DIALER_CACHE/logs/temporal-test-server-build.log.
set -euo pipefail

DIALER_LOG_TAG=temporal-test-server
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

VERSION="${TEMPORAL_TEST_SERVER_VERSION:-1.31.0}"
# temporal-test-server 1.31.0 brings slf4j-api 1.7.36 and no binding: without one slf4j prints a
# 3-line warning at every start. slf4j-simple of the same line, at level warn, keeps errors only.
SLF4J_VERSION=1.7.36
DEPENDENCY_PLUGIN_VERSION=3.8.1
MAIN_CLASS=io.temporal.testserver.TestServer
# Bump when the wrapper or the layout changes, so that `ensure` rewrites existing installs.
LAYOUT_REV=2

DIR="$DIALER_CACHE/temporal-test-server"
JARS="$DIR/jars"
WRAPPER="$DIR/test-server"
MARKER="$DIR/.installed"
CDS="$DIR/cds.jsa"
BUILD_LOG="$DIALER_LOG_DIR/temporal-test-server-build.log"

usage() {
  echo "usage: $0 [ensure|path]" >&2
  exit 2
}

# java_bin — the java to bake into the wrapper: $JAVA_HOME/bin/java if set, else the one on PATH.
java_bin() {
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
    echo "$JAVA_HOME/bin/java"
  else
    command -v java 2>/dev/null
  fi
}

# java_major JAVA — 8, 11, 17, ... from `java -version` ("1.8.0_x" -> 8, "17.0.15" -> 17).
java_major() {
  local v
  v="$("$1" -version 2>&1 | awk -F'"' '/version/ { print $2; exit }')"
  [[ "$v" == 1.* ]] && v="${v#1.}"
  v="${v%%[-.+]*}"
  [[ "$v" =~ ^[0-9]+$ ]] && echo "$v"
}

# marker_text JAVA — what .installed says for this version, layout and java (its real path and
# mtime: a JDK upgraded in place invalidates the class-data archive, which is then rewritten).
marker_text() {
  local real
  real="$(readlink -f "$1" 2>/dev/null || echo "$1")"
  printf 'temporal-test-server %s slf4j-simple %s layout %s java %s %s\n' \
    "$VERSION" "$SLF4J_VERSION" "$LAYOUT_REV" "$real" "$(stat -c %Y "$real" 2>/dev/null || echo '?')"
}

installed_ok() {
  local java="$1"
  [[ -x "$WRAPPER" && -f "$MARKER" && -f "$JARS/temporal-test-server-$VERSION.jar" ]] \
    && [[ "$(cat "$MARKER")" == "$(marker_text "$java")" ]]
}

write_pom() {
  cat >"$DIR/pom.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by scripts/temporal-test-server.sh: only there to fetch the test server's jars. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.dialer</groupId>
  <artifactId>temporal-test-server-jars</artifactId>
  <version>0</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>io.temporal</groupId>
      <artifactId>temporal-test-server</artifactId>
      <version>$VERSION</version>
    </dependency>
    <dependency>
      <groupId>org.slf4j</groupId>
      <artifactId>slf4j-simple</artifactId>
      <version>$SLF4J_VERSION</version>
    </dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-dependency-plugin</artifactId>
        <version>$DEPENDENCY_PLUGIN_VERSION</version>
      </plugin>
    </plugins>
  </build>
</project>
EOF
}

fetch_jars() {
  local stage="$DIR/jars.new"
  rm -rf "$stage"
  write_pom
  log "fetching io.temporal:temporal-test-server:$VERSION and its dependencies with Maven (~30 s cold; log: $BUILD_LOG)"
  printf '=== %s mvn dependency:copy-dependencies (temporal-test-server %s) ===\n' "$(date -u +%FT%TZ)" "$VERSION" >>"$BUILD_LOG"
  if ! (cd "$DIR" && mvn -q -B -Dstyle.color=never dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$stage" >>"$BUILD_LOG" 2>&1 9>&-); then
    tail_log "$BUILD_LOG"
    die "Maven could not fetch io.temporal:temporal-test-server:$VERSION (mvn dependency:copy-dependencies in $DIR); see $BUILD_LOG"
  fi
  [[ -f "$stage/temporal-test-server-$VERSION.jar" ]] \
    || die "Maven finished but $stage has no temporal-test-server-$VERSION.jar; see $BUILD_LOG"
  rm -rf "$JARS"
  mv "$stage" "$JARS"
}

# write_wrapper JAVA — the executable the SDK runs: `test-server PORT [ARGS...]`.
write_wrapper() {
  local java="$1" tmp="$WRAPPER.new"
  cat >"$tmp" <<EOF
#!/usr/bin/env bash
# Written by scripts/temporal-test-server.sh (io.temporal:temporal-test-server:$VERSION); rewritten
# by its next run if stale, so don't edit. Usage: $WRAPPER PORT [--enable-time-skipping]
# (the Temporal SDKs run an existing-path test server as \`PATH PORT [extraArgs...]\`).
set -euo pipefail
dir='$DIR'
java='$java'
EOF
  cat >>"$tmp" <<'EOF'
if [[ $# -lt 1 || ! "$1" =~ ^[0-9]+$ ]]; then
  echo "usage: $0 PORT [--enable-time-skipping]" >&2
  exit 2
fi
if [[ ! -x "$java" ]]; then
  java="$(command -v java 2>/dev/null)" || {
    echo "$0: java not found (was $java); install a JDK, then run scripts/temporal-test-server.sh" >&2
    exit 127
  }
fi

opts=(-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xms32m -Xmx768m
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn)
# Class-data archive written by the install: about half the start-up time. A stale one is ignored.
if [[ -r "$dir/cds.jsa" ]]; then
  opts+=(-XX:SharedArchiveFile="$dir/cds.jsa" -Xlog:cds=off -Xlog:cds+dynamic=off)
fi
# shellcheck disable=SC2206 # word-splitting wanted
opts+=(${TEMPORAL_TEST_SERVER_JAVA_OPTS:-})

# Watchdog: if whoever started the server dies without killing it (a jest worker force-exited, a
# crash), stop the JVM rather than leave it holding a port for ever. It reads a pipe whose only
# writer is the JVM (fd 8, kept across the exec below, after which $$ is the JVM): end of file
# there means the JVM is gone, and the watchdog leaves at once; every 0.5 s it checks the parent.
alive() {
  local s
  { read -r s <"/proc/$1/stat"; } 2>/dev/null || return 1
  s="${s##*) }"
  [[ "${s:0:1}" != Z && "${s:0:1}" != X ]]
}
watchdog() {
  local parent="$1" server="$2" _
  while :; do
    read -r -t 0.5 _ && continue
    (($? > 128)) || exit 0 # not a timeout: end of file, the server is gone
    alive "$parent" && continue
    kill -TERM "$server" 2>/dev/null || exit 0
    for _ in {1..50}; do
      alive "$server" || exit 0
      sleep 0.1
    done
    kill -KILL "$server" 2>/dev/null
    exit 0
  done
}
if [[ -d /proc/self && $PPID -gt 1 ]]; then
  exec 8> >(watchdog "$PPID" "$$" >/dev/null 2>&1)
fi

exec "$java" "${opts[@]}" -cp "$dir/jars/*" io.temporal.testserver.TestServer "$@"
EOF
  chmod +x "$tmp"
  mv -f "$tmp" "$WRAPPER"
}

# free_port — a port on 127.0.0.1 nothing listens on (for the archive run only).
free_port() {
  local i port
  for ((i = 0; i < 20; i++)); do
    port=$((20000 + RANDOM % 30000))
    port_open 127.0.0.1 "$port" || {
      echo "$port"
      return 0
    }
  done
  return 1
}

# write_cds JAVA — start the server once with -XX:ArchiveClassesAtExit, answer one gRPC health
# check, stop it: the archive holds the classes of start-up and of a first request. Optional: on
# any failure the wrapper simply runs without it.
write_cds() {
  local java="$1" major port pid tmp="$CDS.new"
  rm -f "$CDS" "$tmp"
  major="$(java_major "$java" || true)"
  if [[ -z "$major" ]] || ((major < 13)); then
    log "java ${major:-of unknown version} cannot write a class-data archive (needs >= 13); the server starts without one (~1 s)"
    return 0
  fi
  port="$(free_port)" || {
    log "WARNING: no free port for the class-data archive run; the server starts without one"
    return 0
  }
  printf '=== %s class-data archive run on port %s ===\n' "$(date -u +%FT%TZ)" "$port" >>"$BUILD_LOG"
  "$java" -XX:ArchiveClassesAtExit="$tmp" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -cp "$JARS/*" "$MAIN_CLASS" "$port" </dev/null >>"$BUILD_LOG" 2>&1 9>&- &
  pid=$!
  if wait_for_port 127.0.0.1 "$port" 30; then
    # Empty HealthCheckRequest over HTTP/2 cleartext: loads Netty's request path and gRPC's.
    if command -v curl >/dev/null 2>&1; then
      curl -s -m 5 --http2-prior-knowledge -o /dev/null -X POST -H 'content-type: application/grpc' \
        -H 'te: trailers' --data-binary @<(printf '\0\0\0\0\0') \
        "http://127.0.0.1:$port/grpc.health.v1.Health/Check" 9>&- || true
    fi
  fi
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if [[ -s "$tmp" ]] && "$java" -XX:SharedArchiveFile="$tmp" -Xshare:on -cp "$JARS/*" -version >/dev/null 2>&1; then
    mv -f "$tmp" "$CDS"
  else
    rm -f "$tmp"
    log "WARNING: could not write a usable class-data archive (see $BUILD_LOG); the server starts without one (~1 s)"
  fi
}

ensure() {
  local java t0
  java="$(java_bin)" || true
  [[ -n "$java" ]] || die "java is not installed (nor \$JAVA_HOME/bin/java): the Temporal test server is a Java program; install a JDK >= 8 (apt-get install openjdk-17-jdk-headless)"

  if installed_ok "$java"; then
    echo "$WRAPPER"
    return 0
  fi
  with_lock temporal-test-server 900
  # Another run may have finished the install while this one waited for the lock.
  if installed_ok "$java"; then
    echo "$WRAPPER"
    return 0
  fi

  t0=$EPOCHREALTIME
  mkdir -p "$DIR"
  rm -f "$MARKER"
  if [[ ! -f "$JARS/temporal-test-server-$VERSION.jar" || ! -f "$JARS/slf4j-simple-$SLF4J_VERSION.jar" ]]; then
    command -v mvn >/dev/null 2>&1 \
      || die "mvn is not installed: it fetches io.temporal:temporal-test-server:$VERSION from Maven Central (apt-get install maven)"
    fetch_jars
  fi
  write_cds "$java"
  write_wrapper "$java"
  marker_text "$java" >"$MARKER"
  log "ready in $(since "$t0") s: temporal-test-server $VERSION, $("$java" -version 2>&1 | head -n1)"
  echo "$WRAPPER"
}

cmd="${1:-ensure}"
[[ $# -le 1 ]] || usage
case "$cmd" in
  ensure) ensure ;;
  path) echo "$WRAPPER" ;;
  *) usage ;;
esac
