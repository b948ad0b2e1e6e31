# Build, test and demo zego-analytics. Every target installs what it needs and
# skips what is already there, so each works on a fresh machine.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := pkg

WASM_BINDGEN_VERSION := $(shell sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' Cargo.toml)
WASM_PACK_VERSION := 0.15.1
CARGO_BIN := $(or $(CARGO_HOME),$(HOME)/.cargo)/bin
export PATH := $(CURDIR)/node_modules/.bin:$(CARGO_BIN):$(PATH)

.PHONY: setup pkg test test-native lint test-wasm test-node fuzz demo clean

## setup: the wasm32 target, wasm-bindgen-cli (exact version), wasm-pack, npm tools
setup: node_modules/.installed
	@rustup target list --installed | grep -qx wasm32-unknown-unknown \
		|| rustup target add wasm32-unknown-unknown
	@[ "$$(wasm-bindgen --version 2>/dev/null)" = "wasm-bindgen $(WASM_BINDGEN_VERSION)" ] \
		|| cargo install wasm-bindgen-cli --version "$(WASM_BINDGEN_VERSION)"
	@[ "$$(wasm-pack --version 2>/dev/null)" = "wasm-pack $(WASM_PACK_VERSION)" ] \
		|| cargo install wasm-pack --version "$(WASM_PACK_VERSION)"

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

## pkg: the npm package in pkg/ (wasm-pack build + pkg-template/)
pkg: setup
	wasm-pack build --target web --release --out-dir pkg --out-name zego_analytics --no-pack
	rm -f pkg/.gitignore pkg/zego_analytics_bg.wasm.d.ts pkg/zego_analytics.d.ts
	cp -R pkg-template/. pkg/
	cp LICENSE README.md pkg/
	cp pkg/index.d.ts pkg/index.d.cts
	node scripts/make-cjs.mjs pkg/zego_analytics.js pkg/zego_analytics.cjs
	@raw=$$(wc -c < pkg/zego_analytics_bg.wasm); gz=$$(gzip -9c pkg/zego_analytics_bg.wasm | wc -c); \
		echo "zego_analytics_bg.wasm: $$raw bytes raw, $$gz bytes gzip -9"

## test: every test (native, wasm in Node, the package in Node, the emulator,
## the other runtimes, the demo page)
test: test-native test-wasm test-node test-reliability test-runtimes test-www

test-native: lint
	cargo test --quiet

## lint: rustfmt, and clippy with warnings as errors, natively and for wasm32
lint: setup
	@rustup component list --installed | grep -q '^clippy' || rustup component add clippy
	@rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt
	cargo fmt --check
	cargo clippy --quiet --all-targets -- -D warnings
	cargo clippy --quiet --target wasm32-unknown-unknown --all-targets -- -D warnings

## fuzz: the property tests of tests/fuzz.rs with many more cases (FUZZ_CASES), bounded
## in time (FUZZ_SECONDS); `make test` runs a short pass of the same properties
FUZZ_CASES ?= 100000
FUZZ_SECONDS ?= 900
fuzz:
	PROPTEST_CASES=$(FUZZ_CASES) timeout $(FUZZ_SECONDS) cargo test --quiet --test fuzz

test-wasm: setup
	tests/with-emulator.sh wasm-pack test --node --release

test-node: pkg
	node --test tests/emulator/ tests/node/

## demo: GetBizUsage for the last three full days, from the emulator (or the real
## service when ZEGO_APP_ID and ZEGO_SERVER_SECRET are set), printed as a table
demo: pkg
	scripts/demo.sh

# Reliability and soak tests, runtime conformance (Deno, Bun, workerd, Chromium), the page.
include mk/reliability.mk
include mk/runtimes.mk
include mk/www.mk

clean:
	rm -rf pkg target node_modules
