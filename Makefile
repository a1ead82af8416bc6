# claimgraph: build, run, test. Needs Go (go.mod's version), and for the
# GraphQL-over-HTTP audit node and npm. `make help` lists the targets.

GO        ?= go
NPM       ?= npm
NODE      ?= node
BIN       ?= bin/claimgraph
DATA      ?= $(or $(CLAIMGRAPH_DATA),./claimgraph-data)
ADDR      ?= 127.0.0.1:8080
LOG_FORMAT ?= console
SEED      ?= ../shared/seed/example-article.txt
FUZZTIME  ?= 10s
FUZZTIME_BRIEF ?= 3s
LOADTIME  ?= 1m
BENCHTIME ?= 1s
BENCHPKGS ?= ./...
BENCHOUT  ?= bench/out.txt
# The corpus sizes of make bench and make bench-large (SIZES overrides
# both); set here, since a comma inside $(or ...) would split its arguments.
BENCH_SIZES       = 10000,100000,1000000
BENCH_LARGE_SIZES = 10000000

# Version and commit for `claimgraph version` when the build has no VCS stamp.
VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  := $(shell git rev-parse HEAD 2>/dev/null)
LDFLAGS := -X main.version=$(VERSION) -X main.commit=$(COMMIT)

SHELL       := bash
.SHELLFLAGS := -eu -o pipefail -c

AUDIT_DIR  := tools/audit
AUDIT_DEPS := $(AUDIT_DIR)/node_modules/.package-lock.json
BROWSER_DIR  := tools/browser
BROWSER_DEPS := $(BROWSER_DIR)/node_modules/.package-lock.json

.DEFAULT_GOAL := help

.PHONY: help run build test lint fmt-check vet staticcheck race audit browser eval bench bench-large bench-outside fuzz fuzz-brief load clean crash

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | sort

run: ## serve the built-in demo on $(ADDR), data in $(DATA)
	$(GO) run -ldflags '$(LDFLAGS)' ./cmd/claimgraph serve --demo --data '$(DATA)' --addr '$(ADDR)' --log-format $(LOG_FORMAT) \
		$(if $(wildcard $(SEED)),--demo-text '$(SEED)')

build: ## build the binary into ./bin
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/claimgraph

test: lint race fuzz-brief audit browser ## everything a fresh clone can run: lint, go test -race, a brief fuzz, graphql-http audit, browser tests

lint: fmt-check vet staticcheck ## gofmt, go vet, staticcheck

fmt-check:
	@out="$$(gofmt -l .)"; \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

staticcheck: ## staticcheck, pinned by the tool line in go.mod
	$(GO) tool staticcheck ./...

race: ## go test -race over every package (the crash harness included: 12 kill -9 rounds)
	$(GO) test -race -count=1 ./...

crash: ## kill -9 harness: CRASH_ROUNDS (default 50) rounds of imports and mutations killed at random, each checked (package crash)
	$(GO) test -count=1 -v -run '^TestCrash$$' ./crash -crash.rounds=$(or $(CRASH_ROUNDS),50) -crash.big

$(AUDIT_DEPS): $(AUDIT_DIR)/package.json $(AUDIT_DIR)/package-lock.json
	cd $(AUDIT_DIR) && $(NPM) ci --no-audit --no-fund

audit: build $(AUDIT_DEPS) ## graphql-http server audit against `serve --demo` on a free port
	$(NODE) $(AUDIT_DIR)/audit.mjs --bin $(BIN)

$(BROWSER_DEPS): $(BROWSER_DIR)/package.json $(BROWSER_DIR)/package-lock.json
	cd $(BROWSER_DIR) && $(NPM) ci --no-audit --no-fund

browser: build $(BROWSER_DEPS) ## the provenance browser in headless Chromium against serve --demo
	$(NODE) $(BROWSER_DIR)/browser.mjs --bin $(BIN) --text $(SEED)

eval: ## score the article extractor: quotes, speakers and figures against hand-checked gold (V=1 lists misses)
	$(GO) run ./extract/cmd/eval -dir extract/testdata/fixtures -seed '$(SEED)' $(if $(V),-v)

bench: build ## claimgraph vs raw Badger, SQLite and PostgreSQL at SIZES quotes (default 10k, 100k, 1M; about 20 minutes): bench/results.json, table in README.md
	$(GO) run ./bench/cmd/claimbench --sizes $(or $(SIZES),$(BENCH_SIZES)) --bin $(BIN) \
		--out bench/results.json --readme README.md $$(bench/ensure-postgres.sh) $(BENCH_FLAGS)

bench-large: build ## the same at 10M quotes (SIZES to change): bench/results-large.json; the corpus streams in chunks of 2M records (about 10 GB of memory); the imports alone took 39 (claimgraph) and 22 (raw Badger) minutes here, with about 17 GB of disk
	$(GO) run ./bench/cmd/claimbench --sizes $(or $(SIZES),$(BENCH_LARGE_SIZES)) --bin $(BIN) \
		--out bench/results-large.json $$(bench/ensure-postgres.sh) $(BENCH_FLAGS)

bench-outside: build ## claimgraph import against SQLite (python3's sqlite3, the peer schema) on a generated corpus of QUOTES quotes (default 100k), from the command line, REPS times
	BIN=$(BIN) bench/outside/run.sh

fuzz: ## run every Fuzz target for $(FUZZTIME) (TARGETS=regexp, PKGS=./export to narrow)
	FUZZTIME=$(FUZZTIME) GO=$(GO) tools/fuzz.sh

fuzz-brief: ## every Fuzz target for $(FUZZTIME_BRIEF), as make test runs them
	FUZZTIME=$(FUZZTIME_BRIEF) GO=$(GO) tools/fuzz.sh

load: build ## 64 clients mixing reads and writes against serve --demo for $(LOADTIME): latency percentiles, req/s, lost writes
	$(GO) run ./bench/cmd/claimload --bin $(BIN) --clients 64 --duration $(LOADTIME) $(LOAD_FLAGS)

clean: ## remove build output (not the data directory)
	rm -rf bin $(AUDIT_DIR)/node_modules
