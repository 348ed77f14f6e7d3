# dmsc build, test and CI entry points. `make help` lists the targets.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := build

GO           ?= go
# Extra flags for `go test` in `make test`, e.g. TESTFLAGS=-race or -count=1.
TESTFLAGS    ?=
TEST_TIMEOUT ?= 30m
# Duration of each fuzz target's run in `make fuzz`.
FUZZTIME     ?= 10s
# Benchmark selection and repetitions for `make bench` (benchratio reports
# the median of the BENCHCOUNT runs; keep it at 5 or more).
BENCH        ?= .
BENCHCOUNT   ?= 5
BENCH_TIMEOUT ?= 120m
# Release version compiled into bin/dmsc (`dmsc version`); empty = devel.
VERSION      ?= $(shell git describe --tags --dirty 2>/dev/null)
LDFLAGS      := $(if $(VERSION),-X github.com/edfi-dmsc/dmsc/cli.version=$(VERSION))

.PHONY: help build test bench bench-smoke fuzz golden lint report ci clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

build: ## build bin/dmsc
	$(GO) build -buildvcs=auto -ldflags '$(LDFLAGS)' -o bin/dmsc ./cmd/dmsc

# go test -json piped through internal/testsummary prints what go test prints
# (all output with TESTFLAGS=-v), then the skipped tests grouped by message;
# with pipefail the status is go test's.
test: ## run every test (database tests skip unless DMSC_PG_DSN is set); ends with the skipped tests and why
	$(GO) build -o bin/testsummary ./internal/testsummary
	$(GO) test -json $(TESTFLAGS) -timeout $(TEST_TIMEOUT) ./... | bin/testsummary $(if $(filter -v,$(TESTFLAGS)),-v)

bench: ## run benchmarks (bench/authbench and bench/migratebench at full scale); write ratios to bench/results/latest.txt and summary.json
	DMSC_AUTHBENCH_SCALE=full DMSC_MIGRATEBENCH_SCALE=full $(GO) test -p 1 -run='^$$' -bench='$(BENCH)' -benchmem -count=$(BENCHCOUNT) -timeout $(BENCH_TIMEOUT) ./... \
	  | $(GO) run ./bench/benchratio -o bench/results/latest.txt -raw bench/results/latest.raw.txt -summary bench/results/summary.json

bench-smoke: ## run every benchmark once, to keep them working
	$(GO) test -p 1 -run='^$$' -bench=. -benchtime=1x -timeout $(TEST_TIMEOUT) ./...

fuzz: ## fuzz every Fuzz target for FUZZTIME (default 10s; or a count like 20000x) each
	@targets=$$($(GO) test -list '^Fuzz' ./... \
	  | awk '/^Fuzz/ { names[n++] = $$1; next } /^ok[ \t]/ { for (i = 0; i < n; i++) print $$2 "," names[i]; n = 0 }'); \
	if [ -z "$$targets" ]; then echo "fuzz: no Fuzz targets"; exit 0; fi; \
	for t in $$targets; do \
	  pkg=$${t%,*}; name=$${t#*,}; \
	  echo "fuzz: $$pkg $$name for $(FUZZTIME)"; \
	  $(GO) test -run='^$$' -fuzz="^$$name\$$" -fuzztime=$(FUZZTIME) "$$pkg"; \
	done

golden: ## rewrite every golden file: go test ./... -update (the one way; review with git diff)
	$(GO) test -count=1 ./... -update
	@git status --short -- '*testdata*' 2>/dev/null || true

lint: ## gofmt must list no file; go vet must pass
	@files=$$(find . -name '*.go' -not -path './.git/*' -not -path '*/testdata/*' | xargs gofmt -l); \
	if [ -n "$$files" ]; then echo "gofmt would change:"; echo "$$files"; exit 1; fi
	$(GO) vet ./...

report: ## print table/column counts of DS 5.0, Homograph and the upstream cases, and the conformance result
	$(GO) test -count=1 -v -run 'TestCompileRealSchemas|TestConformance' ./compiler \
	  | grep -E '(pgsql|mssql): [0-9]+ resources|^(--- |ok|FAIL)' || true

# The tests run last so that their summary closes the CI log.
ci: ## what .ci/run runs once PostgreSQL is up: lint, build, fuzz, bench-smoke, report, test
	@for step in lint build fuzz bench-smoke report test; do \
	  echo; echo "=== make $$step ==="; start=$$SECONDS; \
	  $(MAKE) --no-print-directory $$step; \
	  echo "=== make $$step: ok in $$((SECONDS - start))s ==="; \
	done

clean: ## remove build outputs
	rm -rf bin
