# The two commands a newcomer needs: `make run` and `make test`.
SHELL    := /bin/bash
GO       ?= go
PKGS     := ./...
BENCHOUT ?= bench.txt

.PHONY: run test size-check vet fmt-check unit bench fuzz clean emulators chaos

# DynamoDB Local (AWS's own, shipped inside an npm package; only the jar is
# unpacked) and the SQS emulator fauxqs (npm, run by node), cached and
# gitignored. Each test binary that needs SQS starts its own fauxqs.
EMU_DIR    := .cache/emulators
DYNAMO_PKG := amplify-dynamodb-simulator-2.9.30
DYNAMO_JAR := $(EMU_DIR)/dynamodb/package/emulator/DynamoDBLocal.jar
SQS_PKG    := fauxqs@1.9.2
SQS_MOD    := $(EMU_DIR)/sqs/node_modules/fauxqs/package.json

# The browser tests' Node packages (playwright-core drives Debian's
# /usr/bin/chromium; jsqr decodes QR codes from pixels), cached and
# gitignored; the tests find them at .cache/browser/node_modules.
BROWSER_DIR := .cache/browser
BROWSER_PKG := playwright-core@1.65.1 jsqr@1.4.0
BROWSER_MOD := $(BROWSER_DIR)/node_modules/playwright-core/package.json

## run: the local all-in-one gateway on 127.0.0.1:8080 (data in ./data)
run:
	$(GO) run ./sessionhost

## test: every check and test; what CI runs (synth: the CDK CLI's own
## `cdk synth` of the app, as `make deploy` would run it)
test: size-check fmt-check vet unit infra-test synth image-test

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
unit: emulators browser
	@set -e; port=$$((20000 + RANDOM % 20000)); \
	java -Xms64m -Xmx512m -XX:TieredStopAtLevel=1 -Djava.library.path=$(dir $(DYNAMO_JAR))DynamoDBLocal_lib \
	  -jar $(DYNAMO_JAR) -inMemory -sharedDb -port $$port -disableTelemetry >/dev/null 2>&1 & pid=$$!; \
	trap "kill $$pid 2>/dev/null" EXIT; \
	WAGATEWAY_DYNAMODB_ENDPOINT=http://127.0.0.1:$$port $(GO) test -race -count=1 -timeout 25m $(PKGS)

## chaos: the chaos test alone (part of `make test` too): three session
## hosts in AWS mode on the emulators, 300 instances, a kill -9, a freeze
## and a rolling deploy; prints its summary line
chaos: emulators
	set -o pipefail; $(GO) test -count=1 -run '^TestChaos$$' -timeout 20m -v ./sessionhost/ 2>&1 | \
	  grep -E '^(chaos:|\s+chaos_test|--- |FAIL|ok )'

## emulators: install the AWS emulators the adapter tests need (java, npm)
emulators: $(DYNAMO_JAR) $(SQS_MOD)

## browser: install the browser tests' Node packages (Chromium itself is
## Debian's package `chromium`, which .ci/run installs)
.PHONY: browser
browser: $(BROWSER_MOD)

$(BROWSER_MOD):
	mkdir -p $(BROWSER_DIR)
	cd $(BROWSER_DIR) && echo '{"private":true}' > package.json \
	  && npm install --silent --no-audit --no-fund --omit=dev --ignore-scripts $(BROWSER_PKG)

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
## one `bootstrap` for the provided.al2023 runtime on arm64 (Graviton), and
## dist/host/, the session host image's whole build context (Dockerfile,
## static binary, passwd, group)
.PHONY: build
LAMBDAS := api webhooks
build: $(LAMBDAS:%=dist/%.zip) dist/host

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

# The session host image's build context: only what the image holds, so
# its content hash (the CDK asset's identity) changes only when the binary
# or the Dockerfile does, and the same source gives the same bytes
# (-trimpath, no VCS stamp, no build id, fixed mtimes). dist/host is for
# arm64 (Fargate on Graviton); dist/host-amd64, its twin for this machine,
# only serves image-test, which runs the image without emulation.
# nodynamic: as for the Lambdas; the image has no libc. Always rebuilt
# (phony; go build caches).
HOST_USER := gateway:x:65532:65532:gateway:/nonexistent:/usr/sbin/nologin
.PHONY: dist/host dist/host-amd64
dist/host:
	$(call host-context,$@,arm64,b700)
dist/host-amd64:
	$(call host-context,$@,amd64,3e00)

## image-test: the session host image built from dist/host with buildah
## (linux/arm64, no emulation), and an amd64 twin (dist/host-amd64) run
## read-only with podman through the sandbox flow; needs buildah, podman
## and runc (apt-get; .ci/run installs them)
.PHONY: image-test
image-test: build dist/host-amd64
	$(GO) test -tags imagetest -count=1 -v -timeout 10m ./sessionhost/imagetest/

# host-context dir,goarch,e_machine (little-endian hex): builds the context.
# A static binary has neither PT_DYNAMIC (2) nor PT_INTERP (3) among its
# program headers (read with od: e_phoff at 32, e_phentsize at 54, e_phnum
# at 56), so it needs no loader or libc at run time.
define host-context
@rm -rf $(1) && mkdir -p $(1)
CGO_ENABLED=0 GOOS=linux GOARCH=$(2) $(GO) build -tags nodynamic -trimpath -buildvcs=false -ldflags="-s -w -buildid=" \
  -o $(1)/sessionhost ./sessionhost
@f=$(1)/sessionhost; \
[ "$$(od -An -tx1 -N6 $$f | tr -d ' \n')" = "7f454c460201" ] \
  && [ "$$(od -An -tx1 -j18 -N2 $$f | tr -d ' \n')" = "$(3)" ] \
  || { echo "$$f is not a 64-bit little-endian $(2) ELF"; exit 1; }; \
phoff=$$(od -An -tu8 -j32 -N8 $$f | tr -d ' '); \
phentsize=$$(od -An -tu2 -j54 -N2 $$f | tr -d ' '); phnum=$$(od -An -tu2 -j56 -N2 $$f | tr -d ' '); \
for ((i = 0; i < phnum; i++)); do \
  case $$(od -An -tu4 -j$$((phoff + i * phentsize)) -N4 $$f | tr -d ' ') in \
  2|3) echo "$$f is dynamically linked (a program header needs a loader): build it with -tags nodynamic"; exit 1;; esac; \
done
cp sessionhost/Dockerfile $(1)/Dockerfile
printf '%s\n' '$(HOST_USER)' > $(1)/passwd
printf '%s\n' 'gateway:x:65532:' > $(1)/group
@chmod 0755 $(1)/sessionhost && chmod 0644 $(1)/Dockerfile $(1)/passwd $(1)/group \
  && TZ=UTC touch -t 202001010000 $(1)/sessionhost $(1)/Dockerfile $(1)/passwd $(1)/group
@echo "$(1): sessionhost $$(stat -c %s $(1)/sessionhost) bytes; sha256 of the files' sha256sum: $$(cd $(1) && sha256sum * | sha256sum | cut -c1-16)"
endef

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

# Deploying (README "On AWS", "Deploy"): the AWS CLI's credentials and
# region; CONTEXT holds the stack's -c options, e.g.
#   make deploy CONTEXT="-c alarmEmail=ops@example.com"
# CDK_DOCKER=podman builds the session host image without Docker.
CONTEXT  ?=
PREFLIGHT = CDK="$(CDK)" CONTEXT="$(CONTEXT)" bash infra/scripts/preflight.sh
# With CI set, deploy never prompts; otherwise it asks before widening
# IAM or security groups.
APPROVAL ?= $(if $(CI),never,broadening)
.PHONY: bootstrap preflight diff

## bootstrap: once per account and region: `cdk bootstrap` and ECS's
## service-linked role, each only if missing
bootstrap: $(CDK)
	$(CDKENV) $(PREFLIGHT) --fix

## preflight: check the account can take a deploy (credentials, bootstrap,
## ECS role, Lambda concurrency quota, container builder); changes nothing
preflight: build $(CDK)
	$(PREFLIGHT)

## diff: what a deploy would change
diff: build $(CDK)
	$(CDKENV) $(CDK) diff --no-notices -c shards=$(SHARDS) $(CONTEXT)

## deploy: preflight, diff, then deploy to the current AWS account
deploy: preflight
	$(CDKENV) $(CDK) diff --no-notices -c shards=$(SHARDS) $(CONTEXT)
	$(CDKENV) $(CDK) deploy --no-notices -c shards=$(SHARDS) $(CONTEXT) --require-approval $(APPROVAL)

## infra-test: CDK assertions on the synthesized template (go test runs
## vet's checks too; a separate go vet would compile the CDK twice)
infra-test:
	cd infra && $(CDKENV) $(GO) test -count=1 ./...
