# The two commands that matter: `make run` (the whole platform, real infrastructure, no Docker)
# and `make test` (the whole suite). Both install what they need, from this repository's files.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export UV_LINK_MODE := copy
# Use the platform's certificate store (where this machine's registries are trusted).
export UV_SYSTEM_CERTS := 1
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
PY := $(UV) run --frozen --no-sync python

.PHONY: help install run stop status setup test test-fast demo bench lint clean-data watch lag replay chaos trace operator hospital

help:
	@echo "make run    - install (first time), start Kafka, FerretDB/PostgreSQL, SeaweedFS and every service"
	@echo "make stop   - stop everything started by make run (data is kept under .local/)"
	@echo "make test   - architecture check + the whole test suite (starts its own stack on other ports)"
	@echo "make demo   - drive one applicant to a card against a running platform"
	@echo "make bench  - benchmarks (lookups at 10k..1M documents, pipeline and claims throughput)"
	@echo "make watch TOPIC=card.issued - tail a topic with keys and CloudEvents headers"
	@echo "make lag    - every consumer group's offsets and lag"
	@echo "make replay SERVICE=cards - the service replays its own dead letters (after a fix)"
	@echo "make status [FORMAT=json] - every server and service: pid, url, state, readiness, memory"
	@echo "make run TRACES=1 - also run the Jaeger trace viewer (built the first time, ~4 min)"
	@echo "make trace ID=<trace id> - one application's trace as a tree (needs make run TRACES=1)"
	@echo "make chaos [N=200] - N applications while every service, the broker and PostgreSQL fail once"
	@echo "make operator USER=<email> ROLE=reviewer|supervisor|admin [RESET=1] - an operator with a one-time password"
	@echo "make hospital NAME='<name>' [FACILITY=FAC-000201] [ROTATE=1] - a hospital's client (client credentials) and its secret"

$(UV):
	@command -v uv >/dev/null 2>&1 || python3 -m pip install --quiet --user uv \
	  || python3 -m pip install --quiet --user --break-system-packages uv

.venv/.synced: $(UV) uv.lock pyproject.toml shared/pyproject.toml $(wildcard services/*/pyproject.toml) deploy/local/pyproject.toml
	$(UV) sync --frozen --all-packages
	@touch $@

# TRACES=1: Jaeger too, and every service sends it its traces.
TRACES_FLAG = $(if $(filter 1 yes true,$(TRACES)),--traces)

install: .venv/.synced
	$(PY) -m amo_localstack install $(TRACES_FLAG)

run: install
	$(PY) -m amo_localstack up --services --foreground $(TRACES_FLAG)

stop:
	$(PY) -m amo_localstack down

status:
	$(PY) -m amo_localstack status --format $(or $(FORMAT),text)

trace:
	$(PY) -m amo_localstack trace $(ID)

chaos: install
	$(PY) -m amo_localstack.chaos --applications $(or $(N),200)

setup:
	$(PY) -m amo_localstack setup

# ruff (lint + format check) everywhere; mypy --strict on the contracts and every pure domain;
# import-linter for the architecture (no service imports another; domains import no I/O).
TYPED := shared/amo_shared $(wildcard services/*/amo_*/domain)
lint: .venv/.synced
	$(UV) run --frozen --no-sync ruff check .
	$(UV) run --frozen --no-sync ruff format --check .
	$(UV) run --frozen --no-sync mypy $(TYPED)
	$(UV) run --frozen --no-sync lint-imports

test: install lint
	$(PY) -m pytest

test-fast: .venv/.synced
	$(PY) -m pytest -m "not stack"

demo: .venv/.synced
	$(PY) -m amo_localstack.demo

bench: install
	$(PY) bench/lookups.py && $(PY) bench/pipeline.py && $(PY) bench/claims.py

# Operators: Kafka's own tools, from the jars `make run` installed.
KAFKA_TOOLS := java -cp '.local/cache/kafka-libs/*'
BOOTSTRAP := 127.0.0.1:$${AMO_KAFKA_PORT:-9092}
# The bus is closed: the tools log in as the stack's admin principal (a 0600 file of the data dir).
KAFKA_ADMIN := $${AMO_LOCAL_DIR:-.local/data}/kafka/admin.properties
TOPIC ?= card.issued

watch:
	$(KAFKA_TOOLS) org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server $(BOOTSTRAP) \
	  --consumer.config $(KAFKA_ADMIN) --topic $(TOPIC) --from-beginning --formatter-property print.headers=true --formatter-property print.key=true \
	  --formatter-property print.partition=true --formatter-property print.offset=true

lag:
	$(KAFKA_TOOLS) org.apache.kafka.tools.consumer.group.ConsumerGroupCommand \
	  --bootstrap-server $(BOOTSTRAP) --command-config $(KAFKA_ADMIN) --describe --all-groups

replay:
	$(PY) -m amo_localstack replay $(SERVICE)

# Identity (Keycloak, realm amo), against the running platform. Values reach the command through
# the environment ("$$NAME"), so quotes in a name are safe. USER must be given on the command line:
# the shell's own $USER is the login name.
operator: .venv/.synced
	@if [ "$(origin USER)" != "command line" ] || [ -z "$(ROLE)" ]; then \
	  echo "usage: make operator USER=<email> ROLE=reviewer|supervisor|admin [RESET=1]"; exit 2; fi
	$(PY) -m amo_localstack operator --user "$$USER" --role "$$ROLE" \
	  $(if $(filter 1 yes true,$(RESET)),--reset-password)

hospital: .venv/.synced
	@if [ -z "$$NAME" ]; then echo "usage: make hospital NAME='<hospital name>' [FACILITY=FAC-000201] [ROTATE=1]"; exit 2; fi
	$(PY) -m amo_localstack hospital --name "$$NAME" $(if $(FACILITY),--facility "$(FACILITY)") $(if $(filter 1 yes true,$(ROTATE)),--rotate-secret)

clean-data: stop
	rm -rf .local/data

# The cards' daily revalidation job as of a day, against the running platform.
.PHONY: revalidate
revalidate: .venv/.synced
	@test -n "$(AS_OF)" || { echo "usage: make revalidate AS_OF=YYYY-MM-DD"; exit 2; }
	$(PY) -m amo_cards revalidate --as-of $(AS_OF)
