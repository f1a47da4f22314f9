# The two commands a newcomer needs: `make run` and `make test`.
SHELL    := /bin/bash
GO       ?= go
PKGS     := ./...
BENCHOUT ?= bench.txt

.PHONY: run test size-check vet fmt-check unit bench fuzz clean emulators

# DynamoDB Local (AWS's own, shipped inside an npm package; only the jar is
# unpacked) and the SQS emulator fauxqs (npm, run by node), cached and
# gitignored. Each test binary that needs SQS starts its own fauxqs.
EMU_DIR    := .cache/emulators
DYNAMO_PKG := amplify-dynamodb-simulator-2.9.30
DYNAMO_JAR := $(EMU_DIR)/dynamodb/package/emulator/DynamoDBLocal.jar
SQS_PKG    := fauxqs@1.9.2
SQS_MOD    := $(EMU_DIR)/sqs/node_modules/fauxqs/package.json

## run: the local all-in-one gateway on 127.0.0.1:8080 (data in ./data)
run:
	$(GO) run ./sessionhost

## test: every check and test; what CI runs (synth: the CDK CLI's own
## `cdk synth` of the app, as `make deploy` would run it)
test: size-check fmt-check vet unit infra-test synth

## size-check: no file git tracks is over 1 MB (a build output committed
## by mistake: add it to .gitignore and `git rm --cached` it)
MAX_FILE_BYTES := 1048576
size-check:
	@if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
	  echo "size-check: not a git work tree, skipped"; exit 0; fi; \
	big="$$(git ls-files -z | xargs -0 wc -c 2>/dev/null | awk -v max=$(MAX_FILE_BYTES) \
	  '$$1 > max && !(NF == 2 && $$2 == "total") { f = $$0; sub(/^ *[0-9]+ /, "", f); printf "  %6.1f MB  %s\n", $$1 / 1048576, f }')"; \
	if [ -n "$$big" ]; then \
	  echo "tracked files over 1 MB (build outputs? ignore them in .gitignore and git rm --cached them):"; \
	  echo "$$big"; exit 1; fi

fmt-check:
	@out="$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))"; \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# -race: vet then compiles exactly what the race-enabled tests reuse, so
# the packages are compiled once, not twice.
vet:
	$(GO) vet -race $(PKGS)

# One DynamoDB Local for the whole run, stopped when the tests end.
unit: emulators
	@set -e; port=$$((20000 + RANDOM % 20000)); \
	java -Xms64m -Xmx512m -XX:TieredStopAtLevel=1 -Djava.library.path=$(dir $(DYNAMO_JAR))DynamoDBLocal_lib \
	  -jar $(DYNAMO_JAR) -inMemory -sharedDb -port $$port -disableTelemetry >/dev/null 2>&1 & pid=$$!; \
	trap "kill $$pid 2>/dev/null" EXIT; \
	WAGATEWAY_DYNAMODB_ENDPOINT=http://127.0.0.1:$$port $(GO) test -race -count=1 -timeout 15m $(PKGS)

## emulators: install the AWS emulators the adapter tests need (java, npm)
emulators: $(DYNAMO_JAR) $(SQS_MOD)

$(DYNAMO_JAR):
	mkdir -p $(EMU_DIR)/dynamodb
	cd $(EMU_DIR)/dynamodb && npm pack --silent $(subst -2.9.30,@2.9.30,$(DYNAMO_PKG)) >/dev/null \
	  && tar xzf $(DYNAMO_PKG).tgz package/emulator && rm -f $(DYNAMO_PKG).tgz

$(SQS_MOD):
	mkdir -p $(EMU_DIR)/sqs
	cd $(EMU_DIR)/sqs && echo '{"private":true}' > package.json \
	  && npm install --silent --no-audit --no-fund --omit=dev --ignore-scripts $(SQS_PKG)

## bench: the performance figures of the issues, each against a baseline
## measured in the same run; prints a table per benchmark
bench:
	set -o pipefail; $(GO) test -run '^$$' -bench . -benchtime 1x -timeout 30m ./sessionhost/ ./internal/host/ ./internal/dispatch/ ./functions/api/ ./internal/cloud/ | tee $(BENCHOUT)

## build: the Lambda zips dist/api.zip and dist/webhooks.zip, each holding
## one `bootstrap` for the provided.al2023 runtime on arm64 (Graviton)
.PHONY: build
LAMBDAS := api webhooks
build: $(LAMBDAS:%=dist/%.zip)

# Always rebuilt (go build caches); a fixed mtime keeps the zip, and so the
# CDK asset hash, the same for the same code.
# nodynamic: without it the WebP encoder (internal/sticker) links purego,
# which makes a CGO_ENABLED=0 binary dynamically linked against libc.
dist/%.zip: FORCE
	@command -v zip >/dev/null || { echo "zip is not installed (apt-get install zip)"; exit 1; }
	@rm -rf dist/$* dist/$*.zip && mkdir -p dist/$*
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build -tags lambda.norpc,nodynamic -trimpath -ldflags="-s -w" \
	  -o dist/$*/bootstrap ./functions/$*
	@# ELF (7f 45 4c 46), 64-bit (02), little-endian (01); e_machine 0xb7 = AArch64.
	@[ "$$(od -An -tx1 -N6 dist/$*/bootstrap | tr -d ' \n')" = "7f454c460201" ] \
	  && [ "$$(od -An -tx1 -j18 -N2 dist/$*/bootstrap | tr -d ' \n')" = "b700" ] \
	  || { echo "dist/$*/bootstrap is not a 64-bit little-endian arm64 ELF"; exit 1; }
	@chmod 0755 dist/$*/bootstrap && TZ=UTC touch -t 202001010000 dist/$*/bootstrap
	@cd dist/$* && zip -q -X ../$*.zip bootstrap
	@[ "$$(unzip -Z1 dist/$*.zip)" = "bootstrap" ] || { echo "dist/$*.zip must hold only bootstrap"; exit 1; }
	@echo "dist/$*.zip: bootstrap $$(stat -c %s dist/$*/bootstrap) bytes, $$(stat -c %s dist/$*.zip) zipped"
	@rm -rf dist/$*

.PHONY: FORCE
FORCE:

## fuzz: a short run of every fuzz test (the seeds also run in `make test`)
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime 15s $$pkg || exit 1; \
	  done; \
	done

clean:
	rm -rf ./data $(BENCHOUT)

# The CDK app (infra/, its own module so the app's tests never compile CDK)
# and its CLI, installed under .cache on first use.
CDK_VERSION := 2.1148.1
CDK         := .cache/cdk/node_modules/.bin/cdk
SHARDS      ?= 1
CDKENV      := JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20 CDK_DISABLE_CLI_TELEMETRY=true
.PHONY: synth deploy infra-test

$(CDK):
	mkdir -p .cache/cdk && cd .cache/cdk && echo '{"private":true}' > package.json \
	  && npm install --silent --no-audit --no-fund aws-cdk@$(CDK_VERSION)

## synth: the CloudFormation template of the AWS shape (offline), SHARDS=1
synth: build $(CDK)
	$(CDKENV) $(CDK) synth --quiet --no-notices -c shards=$(SHARDS)

## deploy: deploy to the current AWS account (needs `cdk bootstrap` once and Docker)
deploy: build $(CDK)
	$(CDKENV) $(CDK) deploy --no-notices -c shards=$(SHARDS) --require-approval broadening

## infra-test: CDK assertions on the synthesized template (go test runs
## vet's checks too; a separate go vet would compile the CDK twice)
infra-test:
	cd infra && $(CDKENV) $(GO) test -count=1 ./...
