# The demo page in www/. `make www` builds it and serves it with the emulator on
# 127.0.0.1; `make test-www` drives it in Debian's Chromium through playwright-core.

WWW_PORT ?= 8787
WWW_EMULATOR_PORT ?= 8788
WWW_CHROMIUM ?= /usr/bin/chromium

.PHONY: www test-www www-chromium

## www: build the page into www/dist/ and serve it with the emulator (Ctrl-C stops both)
www: pkg
	node www/build.mjs --emulator-port $(WWW_EMULATOR_PORT)
	node www/serve.mjs --port $(WWW_PORT) --emulator-port $(WWW_EMULATOR_PORT)

## test-www: the page in a real browser; screenshots go to test-artifacts/www/
test-www: pkg www-chromium
	CHROMIUM="$(WWW_CHROMIUM)" node --test tests/www/

# Debian's chromium package, installed once if it is missing.
www-chromium:
	@if [ ! -x "$(WWW_CHROMIUM)" ]; then \
		echo "installing Debian's chromium package"; \
		sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$sudo apt-get update -qq; \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends \
			chromium; \
	fi
