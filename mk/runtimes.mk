# The conformance suite (tests/conformance/) in every JavaScript runtime, and the wasm
# tests (tests/wasm.rs) in headless Chromium.
#
# Node, Deno, Bun, wrangler, Miniflare (workerd), esbuild and playwright-core come from
# npm (the root devDependencies, installed by `setup`); Chromium and its WebDriver come
# from Debian and are installed here when missing.

CHROMIUM ?= $(shell command -v chromium || command -v chromium-browser)
CHROMEDRIVER ?= $(shell command -v chromedriver)

# wasm-bindgen-test runs a test binary in a browser when WASM_BINDGEN_USE_BROWSER is set;
# tests/runtimes/webdriver.json adds Chromium flags that keep it off the network.
# `--mode no-install` keeps wasm-pack from downloading tools: `setup` installed them.
WASM_CHROMIUM_TEST := WASM_BINDGEN_USE_BROWSER=1 \
	WASM_BINDGEN_TEST_WEBDRIVER_JSON=$(CURDIR)/tests/runtimes/webdriver.json \
	tests/with-emulator.sh wasm-pack test --headless --chrome --release --mode no-install \
	--chromedriver "$(CHROMEDRIVER)"

.PHONY: test-runtimes test-conformance test-wasm-chromium chromium-driver

## test-runtimes: the wasm tests in Chromium, then the conformance suite in Node (ESM and
## CommonJS), Deno, Bun, workerd and Chromium, one line per runtime and a total
test-runtimes: pkg chromium-driver
	$(WASM_CHROMIUM_TEST)
	CHROMIUM="$(CHROMIUM)" node tests/runtimes/run.mjs

## test-conformance: only the conformance suite; RUNTIMES="deno-npm workerd" picks some
test-conformance: pkg chromium-driver
	CHROMIUM="$(CHROMIUM)" node tests/runtimes/run.mjs $(RUNTIMES)

test-wasm-chromium: setup chromium-driver
	$(WASM_CHROMIUM_TEST)

## chromium-driver: Debian's chromium and chromium-driver, when either is missing
chromium-driver:
	@if ! command -v chromedriver >/dev/null \
		|| ! { command -v chromium || command -v chromium-browser; } >/dev/null; then \
		sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$sudo apt-get update; \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y --no-install-recommends \
			chromium chromium-driver; \
	fi
