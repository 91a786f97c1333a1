#!/usr/bin/env bash
# docker-compose's one-shot before the broker (service `kafka-format`, image apache/kafka): formats
# the broker's storage once, with the `admin` principal's SCRAM-SHA-512 credentials in the
# metadata from its first record on. The broker needs them at its first start: its own
# inter-broker login, the healthcheck and the bus setup (`python -m amo_localstack.compose_bus`,
# which then registers every service's login) are all `admin`. Already formatted: nothing to do.
#
# The server.properties it formats with is rendered from the same KAFKA_* variables as the
# broker's (one YAML anchor in docker-compose.yml), the way the image's own wrapper renders them
# (kafka.docker.KafkaDockerWrapper): KAFKA_ dropped, lower case, `_` -> `.`, `___` -> `-`,
# `__` -> `_`, the JVM variables skipped.
set -euo pipefail

: "${CLUSTER_ID:?set CLUSTER_ID}"
: "${KAFKA_LOG_DIRS:?set KAFKA_LOG_DIRS}"
password=${AMO_KAFKA_ADMIN_PASSWORD:?set AMO_KAFKA_ADMIN_PASSWORD (deploy/docker/README.md)}
# It is written into the JAAS lines between double quotes and into `--add-scram`'s [k=v,...].
if [[ ! $password =~ ^[A-Za-z0-9_-]{16,}$ ]]; then
  echo "AMO_KAFKA_ADMIN_PASSWORD: 16 characters or more, letters, digits, '-' and '_' only" >&2
  exit 2
fi

if [[ -f $KAFKA_LOG_DIRS/meta.properties ]]; then
  echo "kafka-format: $KAFKA_LOG_DIRS already formatted"
  exit 0
fi

render() {
  local var key
  for var in ${!KAFKA_@}; do
    case $var in
      KAFKA_VERSION | KAFKA_HEAP_OPTS | KAFKA_LOG4J_OPTS | KAFKA_OPTS | KAFKA_JMX_OPTS | \
        KAFKA_JVM_PERFORMANCE_OPTS | KAFKA_GC_LOG_OPTS | KAFKA_LOG4J_ROOT_LOGLEVEL | \
        KAFKA_LOG4J_LOGGERS | KAFKA_TOOLS_LOG4J_LOGLEVEL | KAFKA_JMX_HOSTNAME | KAFKA_JMX_PORT)
        continue ;;
    esac
    key=${var#KAFKA_}
    key=${key,,}
    key=${key//_/.}
    key=${key//.../-}
    key=${key//../_}
    printf '%s=%s\n' "$key" "${!var}"
  done
}

# Both hold the admin's secrets (the JAAS lines; the format's output lists the bootstrap records,
# the admin's salted credentials among them, kept out of the container's log unless it fails).
umask 077
props=$(mktemp)
log=$(mktemp)
trap 'rm -f "$props" "$log"' EXIT
render >"$props"

if ! "${AMO_KAFKA_STORAGE:-/opt/kafka/bin/kafka-storage.sh}" format \
  --cluster-id "$CLUSTER_ID" \
  --config "$props" \
  --ignore-formatted \
  --add-scram "SCRAM-SHA-512=[name=admin,password=$password]" >"$log" 2>&1; then
  cat "$log" >&2
  exit 1
fi
grep '^Formatting' "$log" || true
