# Reliability of the built package against the emulator's fault modes: timeouts,
# cancellation, retries, clock skew, rate limits and quotas, hostile answers, secret
# hygiene, and the soak. The files run one at a time because several of them measure waits.
.PHONY: test-reliability soak

RELIABILITY_TESTS := $(filter-out %/soak.test.mjs,$(wildcard tests/reliability/*.test.mjs))

test-reliability: pkg
	node --test --test-concurrency=1 $(RELIABILITY_TESTS)
	node --test tests/reliability/soak.test.mjs

## soak: only the soak; SOAK_CALLS=N runs more calls (at least 10000)
soak: pkg
	node --test tests/reliability/soak.test.mjs
