# heapsnap — build, test and benchmark targets. `make help` lists them.
.DEFAULT_GOAL := build

GO      ?= go
BIN     ?= bin/heapsnap
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
DATE    ?= $(shell git log -1 --format=%cI 2>/dev/null || echo unknown)
LDFLAGS := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT) -X main.date=$(DATE)
# The newest goreleaser whose go.mod accepts this Go (v2.17+ needs Go 1.27).
GORELEASER_VERSION ?= v2.16.0

.PHONY: help build test bench lint golden docs clean fuzz release-snapshot cross

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-17s %s\n", $$1, $$2}'

build: ## build bin/heapsnap
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/heapsnap

test: ## run every test (what CI runs)
	$(GO) vet ./...
	@test -z "$$(gofmt -l cmd internal pkg)" || { echo "gofmt needed:"; gofmt -l cmd internal pkg; exit 1; }
	$(GO) test -race -timeout 15m ./...

bench: ## Go benchmarks, then the end-to-end benchmark (testdata/bench/e2e.sh)
	$(GO) test -run '^$$' -bench . -benchmem -count 3 ./... | tee bench.txt
	./testdata/bench/e2e.sh

lint: ## go vet and gofmt
	$(GO) vet ./...
	gofmt -l cmd internal pkg

docs: ## regenerate the command reference in docs/cli and docs/config.md from the commands
	$(GO) test ./internal/cli -run '^(TestDocsUpToDate|TestConfigDocUpToDate)$$' -count=1 -update

cross: ## build for every release target (linux, darwin, windows × amd64, arm64) into dist/
	@for os in linux darwin windows; do for arch in amd64 arm64; do \
		echo "$$os/$$arch"; \
		CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -ldflags "$(LDFLAGS)" \
			-o dist/heapsnap_$${os}_$${arch}/heapsnap$$( [ $$os = windows ] && echo .exe) ./cmd/heapsnap || exit 1; \
	done; done

release-snapshot: ## build release archives locally with goreleaser (no publishing)
	$(GO) run github.com/goreleaser/goreleaser/v2@$(GORELEASER_VERSION) release --snapshot --clean

golden: ## rewrite golden files from the current output
	$(GO) test ./... -update

fuzz: ## run a parser fuzz target, FUZZ (FuzzParse, FuzzHeader or FuzzGzip; default FuzzParse), for FUZZTIME (default 60s)
	$(GO) test ./pkg/heapsnapshot -run '^$$' -fuzz '^'$${FUZZ:-FuzzParse}'$$' -fuzztime $${FUZZTIME:-60s}

clean: ## remove build outputs
	rm -rf bin dist bench.txt coverage.out
