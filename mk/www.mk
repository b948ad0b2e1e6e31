# The demo page in www/.
.PHONY: www test-www
test-www:
