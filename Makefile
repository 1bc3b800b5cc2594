# Convergence Playground: every set-up step a fresh machine needs lives here.
#   make serve  - build the wasm and serve www/ on http://127.0.0.1:8000
#   make test   - every test: lint, native, wasm in headless Chromium, end-to-end
#   make bench  - criterion benchmarks natively and www/bench.html in headless Chromium
SHELL := /bin/bash
.ONESHELL:
.SHELLFLAGS := -eu -o pipefail -c

WASM_BINDGEN_VERSION := 0.2.130
TOOLS_DIR ?= $(HOME)/.local/share/converge-tools
WASM_BINDGEN_ROOT := $(TOOLS_DIR)/wasm-bindgen-$(WASM_BINDGEN_VERSION)
WASM_BINDGEN := $(WASM_BINDGEN_ROOT)/bin/wasm-bindgen
WASM_BINDGEN_TEST_RUNNER := $(WASM_BINDGEN_ROOT)/bin/wasm-bindgen-test-runner
WASM_OPT := node_modules/.bin/wasm-opt
WASM_TARGET := wasm32-unknown-unknown
WASM_PROFILE := wasm-release
WASM_OUT := target/$(WASM_TARGET)/$(WASM_PROFILE)/convergence.wasm
WASM_OPT_FLAGS ?= -Oz --converge --enable-simd
# The e2e tests' second build: the same wasm with the `test-hooks` feature (Playground::test_panic),
# served in place of www/pkg only by the tests that need it; never shipped.
TEST_PKG := target/www-test/pkg
PORT ?= 8000
CHROMIUM := /usr/bin/chromium
CHROMEDRIVER := /usr/bin/chromedriver

.PHONY: all setup rust-tools wasm-bindgen-cli browser npm-packages build build-test-hooks serve test lint test-native test-wasm test-e2e bench bench-native bench-wasm size clean

all: build

## Set-up (each step is skipped when already done) ----------------------------------------
setup: rust-tools wasm-bindgen-cli browser npm-packages

rust-tools:
	rustup target list --installed | grep -qx '$(WASM_TARGET)' || rustup target add $(WASM_TARGET)
	rustup component list --installed | grep -q '^clippy' || rustup component add clippy
	rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt

# About ten minutes the first time on two cores; `--locked` fails here (a locked version is not served).
wasm-bindgen-cli:
	if [ -x '$(WASM_BINDGEN)' ] && '$(WASM_BINDGEN)' --version | grep -q ' $(WASM_BINDGEN_VERSION)$$'; then exit 0; fi
	cargo install wasm-bindgen-cli --version '$(WASM_BINDGEN_VERSION)' --root '$(WASM_BINDGEN_ROOT)'

# Debian's Chromium and ChromeDriver; a test tool never downloads a browser of its own.
browser:
	if [ -x '$(CHROMIUM)' ] && [ -x '$(CHROMEDRIVER)' ]; then exit 0; fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update
	apt-get install -y --no-install-recommends chromium chromium-driver fonts-dejavu-core

npm-packages:
	if [ -x '$(WASM_OPT)' ] && [ -d node_modules/playwright-core ]; then exit 0; fi
	npm ci --no-audit --no-fund

## Build ----------------------------------------------------------------------------------
build: rust-tools wasm-bindgen-cli npm-packages
	cargo build --profile $(WASM_PROFILE) --lib --target $(WASM_TARGET)
	'$(WASM_BINDGEN)' --target web --no-typescript --out-dir www/pkg '$(WASM_OUT)'
	'$(WASM_OPT)' $(WASM_OPT_FLAGS) --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
	  www/pkg/convergence_bg.wasm -o www/pkg/convergence_bg.wasm
	echo "wasm: $$(stat -c %s www/pkg/convergence_bg.wasm) bytes, $$(gzip -9c www/pkg/convergence_bg.wasm | wc -c) gzipped"

build-test-hooks: rust-tools wasm-bindgen-cli
	cargo build --profile $(WASM_PROFILE) --lib --target $(WASM_TARGET) --features test-hooks
	'$(WASM_BINDGEN)' --target web --no-typescript --out-dir '$(TEST_PKG)' '$(WASM_OUT)'

serve: build
	echo "Convergence Playground: http://127.0.0.1:$(PORT)/"
	python3 -m http.server $(PORT) --bind 127.0.0.1 --directory www

size: build
	gz=$$(gzip -9c www/pkg/convergence_bg.wasm | wc -c)
	echo "wasm gzip: $$gz bytes (budget 358400 = 350 KiB)"
	[ $$gz -le 358400 ]

## Tests ----------------------------------------------------------------------------------
test: setup lint test-native test-wasm test-e2e

lint: rust-tools
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy --lib --target $(WASM_TARGET) -- -D warnings
	cargo clippy --lib --target $(WASM_TARGET) --features test-hooks -- -D warnings

test-native:
	cargo test

# wasm-bindgen-test in headless Chromium through ChromeDriver (capabilities in webdriver.json).
test-wasm: rust-tools wasm-bindgen-cli browser
	CHROMEDRIVER='$(CHROMEDRIVER)' \
	CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER='$(WASM_BINDGEN_TEST_RUNNER)' \
	  cargo test --target $(WASM_TARGET) --test web

# The real page in headless Chromium (Playwright driving Debian's Chromium).
test-e2e: build-test-hooks build browser npm-packages size
	TEST_PKG='$(TEST_PKG)' node --test tests/e2e/

## Benchmarks -----------------------------------------------------------------------------
bench: bench-native bench-wasm

bench-native:
	cargo bench --bench optimizers --bench models
	cargo run --release --bin converge -- bench --json | tee target/bench-native.json

bench-wasm: build browser npm-packages
	node tests/e2e/bench.mjs | tee target/bench-wasm.json

clean:
	cargo clean
	rm -rf www/pkg node_modules
