#!/usr/bin/env bash
# The relay server's mail queue page in a real browser: installs Debian's chromium and chromium-driver (apt-get, as
# root) when they are missing, builds the relay server jar and the component's test classes (package, never
# install), resolves Selenium WebDriver (org.seleniumhq.selenium:selenium-java) from Maven Central, and runs
# .ci/BrowserTest.java: a message deferred by a real SMTP relay host must appear on the page with its reason, and Hold,
# Release and Flush must work. The page's screenshot goes to docs/relay-server-page.png (SCREENSHOT overrides).
set -euo pipefail
cd "$(dirname "$0")/.."

SELENIUM_VERSION=${SELENIUM_VERSION:-4.52.0}
SCREENSHOT=${SCREENSHOT:-docs/relay-server-page.png}
work=$(mktemp -d "${TMPDIR:-/tmp}/browser-test.XXXXXX")
trap '[ -n "${KEEP_WORK:-}" ] || rm -rf "$work"' EXIT
log() { printf '%s browser-test: %s\n' "$(date -u +%H:%M:%S)" "$*"; }

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    log "installing chromium and chromium-driver"
    sudo=""
    if [ "$(id -u)" != 0 ]; then
        command -v sudo >/dev/null || { log "need root or sudo to install chromium and chromium-driver"; exit 1; }
        sudo="sudo -n"
    fi
    $sudo apt-get update -qq >/dev/null
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi
log "$(chromium --version 2>/dev/null || echo chromium), $(chromedriver --version | head -n 1)"

log "building the relay server jar and the component's test classes"
# shellcheck disable=SC2086 # MVN_ARGS holds several arguments
mvn -B -q ${MVN_ARGS:-} -DskipTests -pl camel-relay-component,camel-relay-starter,examples/relay-server package
mvn -B -q ${MVN_ARGS:-} -DskipTests -pl camel-relay-component test-compile
jar=$(ls examples/relay-server/target/relay-server-*.jar | grep -v -e '-plain' -e '-sources' | head -n 1)

cat >"$work/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>browser-test</groupId><artifactId>selenium</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>org.seleniumhq.selenium</groupId><artifactId>selenium-java</artifactId><version>$SELENIUM_VERSION</version></dependency>
  </dependencies>
</project>
POM
# shellcheck disable=SC2086
mvn -B -q ${MVN_ARGS:-} -f "$work/pom.xml" dependency:build-classpath -Dmdep.outputFile="$work/classpath.txt"

log "running .ci/BrowserTest.java against $jar"
java -cp "$(cat "$work/classpath.txt"):camel-relay-component/target/test-classes" .ci/BrowserTest.java \
    "$jar" "$work/run" "$SCREENSHOT" || {
    echo "----- last lines of the relay server's log"
    tail -n 80 "$work/run/relay-server.log" 2>/dev/null || true
    exit 1
}
echo "1 passed, 0 failed"
