# The two commands a newcomer needs: `make run` and `make test`.
GO       ?= go
PKGS     := ./...
BENCHOUT ?= bench.txt

.PHONY: run test vet fmt-check unit bench fuzz clean

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

unit:
	$(GO) test -race -count=1 -timeout 15m $(PKGS)

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
