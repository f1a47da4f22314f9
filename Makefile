# The two commands a newcomer needs: `make run` and `make test`.
SHELL    := /bin/bash
GO       ?= go
PKGS     := ./...
BENCHOUT ?= bench.txt

.PHONY: run test vet fmt-check unit bench fuzz clean emulators

# DynamoDB Local (AWS's own, shipped inside an npm package; only the jar is
# unpacked), cached and gitignored. SQS tests run goaws in-process.
EMU_DIR    := .cache/emulators
DYNAMO_PKG := amplify-dynamodb-simulator-2.9.30
DYNAMO_JAR := $(EMU_DIR)/dynamodb/package/emulator/DynamoDBLocal.jar

## run: the local all-in-one gateway on 127.0.0.1:8080 (data in ./data)
run:
	$(GO) run ./sessionhost

## test: every check and test; what CI runs
test: fmt-check vet unit

fmt-check:
	@out="$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))"; \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

# One DynamoDB Local for the whole run, stopped when the tests end.
unit: emulators
	@set -e; port=$$((20000 + RANDOM % 20000)); \
	java -Xms64m -Xmx512m -XX:TieredStopAtLevel=1 -Djava.library.path=$(dir $(DYNAMO_JAR))DynamoDBLocal_lib \
	  -jar $(DYNAMO_JAR) -inMemory -sharedDb -port $$port -disableTelemetry >/dev/null 2>&1 & pid=$$!; \
	trap "kill $$pid 2>/dev/null" EXIT; \
	WAGATEWAY_DYNAMODB_ENDPOINT=http://127.0.0.1:$$port $(GO) test -race -count=1 -timeout 15m $(PKGS)

## emulators: install the AWS emulators the adapter tests need (java, npm)
emulators: $(DYNAMO_JAR)

$(DYNAMO_JAR):
	mkdir -p $(EMU_DIR)/dynamodb
	cd $(EMU_DIR)/dynamodb && npm pack --silent $(subst -2.9.30,@2.9.30,$(DYNAMO_PKG)) >/dev/null \
	  && tar xzf $(DYNAMO_PKG).tgz package/emulator && rm -f $(DYNAMO_PKG).tgz

## bench: the performance figures of the issues, each against a baseline
## measured in the same run; prints a table per benchmark
bench:
	$(GO) test -run '^$$' -bench . -benchtime 1x -timeout 30m ./sessionhost/ ./internal/host/ ./internal/dispatch/ | tee $(BENCHOUT)

## fuzz: a short run of every fuzz test (the seeds also run in `make test`)
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime 15s $$pkg || exit 1; \
	  done; \
	done

clean:
	rm -rf ./data $(BENCHOUT)
