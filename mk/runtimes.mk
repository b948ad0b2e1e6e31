# The conformance suite in every JavaScript runtime.
.PHONY: test-runtimes
test-runtimes:
