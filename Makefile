# Convergence Playground: every set-up step a fresh machine needs lives here.
#   make serve  - build the wasm and serve www/ on http://127.0.0.1:8000
#   make test   - every test: lint, native, wasm in headless Chromium, end-to-end
#   make bench  - criterion benchmarks natively and www/bench.html in headless Chromium
#   make fuzz   - every cargo-fuzz target for FUZZ_SECONDS each (not part of make test)
#   make test-torch - the `converge pytorch` scripts run with torch agree with `converge run`
#                 (needs Python with torch: TORCH_PYTHON=...; not part of make test)
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
# The wasm is built as a cdylib alone: for a lib whose crate types are cdylib and rlib (the CLI
# and the tests need the rlib), `cargo build` silently drops the profile's `lto = true`, and the
# wasm without LTO was 27 KB gzipped larger and slower (docs/speed.md).
WASM_CARGO = cargo rustc --profile $(WASM_PROFILE) --lib --target $(WASM_TARGET) --crate-type cdylib
# -O3 rather than -Oz: faster models for about 1 KB gzipped (docs/speed.md).
WASM_OPT_FLAGS ?= -O3 --converge --enable-simd
# The e2e tests' second build: the same wasm with the `test-hooks` feature (Playground::test_panic),
# served in place of www/pkg only by the tests that need it; never shipped.
TEST_PKG := target/www-test/pkg
PORT ?= 8000
CHROMIUM := /usr/bin/chromium
CHROMEDRIVER := /usr/bin/chromedriver
CARGO_FUZZ_VERSION := 0.13.1
CARGO_FUZZ_ROOT := $(TOOLS_DIR)/cargo-fuzz-$(CARGO_FUZZ_VERSION)
CARGO_FUZZ := $(CARGO_FUZZ_ROOT)/bin/cargo-fuzz
FUZZ_TARGETS := config_json url_hash csv_import
# Seconds of fuzzing per target; one input running longer than FUZZ_TIMEOUT seconds is a hang.
FUZZ_SECONDS ?= 600
FUZZ_TIMEOUT ?= 10
# The core is safe Rust natively (its only unsafe code is wasm SIMD), so AddressSanitizer finds
# nothing more and halves the executions; FUZZ_SANITIZER=address turns it back on.
FUZZ_SANITIZER ?= none

TORCH_PYTHON ?= python3

.PHONY: test-torch all setup rust-tools wasm-bindgen-cli cargo-fuzz browser npm-packages build build-page build-lab build-test-hooks serve test lint test-native test-wasm test-e2e bench bench-native bench-wasm fuzz size clean

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

# Only for `make fuzz`. cargo fuzz passes nightly-only flags to rustc; RUSTC_BOOTSTRAP=1 lets the
# stable toolchain accept them.
cargo-fuzz:
	if [ -x '$(CARGO_FUZZ)' ] && '$(CARGO_FUZZ)' --version | grep -q ' $(CARGO_FUZZ_VERSION)$$'; then exit 0; fi
	cargo install cargo-fuzz --version '$(CARGO_FUZZ_VERSION)' --root '$(CARGO_FUZZ_ROOT)'

# Debian's Chromium and ChromeDriver; a test tool never downloads a browser of its own.
browser:
	if [ -x '$(CHROMIUM)' ] && [ -x '$(CHROMEDRIVER)' ]; then exit 0; fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update
	apt-get install -y --no-install-recommends chromium chromium-driver fonts-dejavu-core

npm-packages:
	if [ -x '$(WASM_OPT)' ] && [ -d node_modules/playwright-core ] && [ -d node_modules/axe-core ]; then exit 0; fi
	npm ci --no-audit --no-fund

## Build ----------------------------------------------------------------------------------
# Both wasm modules: the page's (www/pkg) and the analysis worker's (www/pkg-lab).
build: build-page build-lab

build-page: rust-tools wasm-bindgen-cli npm-packages
	$(WASM_CARGO)
	'$(WASM_BINDGEN)' --target web --no-typescript --out-dir www/pkg '$(WASM_OUT)'
	'$(WASM_OPT)' $(WASM_OPT_FLAGS) --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
	  www/pkg/convergence_bg.wasm -o www/pkg/convergence_bg.wasm
	echo "wasm: $$(stat -c %s www/pkg/convergence_bg.wasm) bytes, $$(gzip -9c www/pkg/convergence_bg.wasm | wc -c) gzipped"
	# The page's catalogue, from the core natively (the page's wasm does not carry it).
	cargo run --quiet --bin converge -- catalog > www/pkg/catalog.json

# The analysis worker's wasm (src/web/lab.rs), loaded only when a visitor runs an analysis.
build-lab: rust-tools wasm-bindgen-cli npm-packages
	$(WASM_CARGO) --features lab
	'$(WASM_BINDGEN)' --target web --no-typescript --out-dir www/pkg-lab '$(WASM_OUT)'
	'$(WASM_OPT)' $(WASM_OPT_FLAGS) --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
	  www/pkg-lab/convergence_bg.wasm -o www/pkg-lab/convergence_bg.wasm
	echo "analysis wasm: $$(stat -c %s www/pkg-lab/convergence_bg.wasm) bytes, $$(gzip -9c www/pkg-lab/convergence_bg.wasm | wc -c) gzipped"

build-test-hooks: rust-tools wasm-bindgen-cli
	$(WASM_CARGO) --features test-hooks
	'$(WASM_BINDGEN)' --target web --no-typescript --out-dir '$(TEST_PKG)' '$(WASM_OUT)'
	cargo run --quiet --bin converge -- catalog > '$(TEST_PKG)/catalog.json'

serve: build
	echo "Convergence Playground: http://127.0.0.1:$(PORT)/"
	python3 -m http.server $(PORT) --bind 127.0.0.1 --directory www

# The page's wasm has the budget; the analysis worker's wasm, fetched only when a visitor opens
# an analysis, is held to the same number on its own.
size: build
	gz=$$(gzip -9c www/pkg/convergence_bg.wasm | wc -c)
	echo "wasm gzip: $$gz bytes (budget 358400 = 350 KiB)"
	[ $$gz -le 358400 ]
	lab=$$(gzip -9c www/pkg-lab/convergence_bg.wasm | wc -c)
	echo "analysis wasm gzip: $$lab bytes (budget 358400 = 350 KiB, loaded on demand)"
	[ $$lab -le 358400 ]

## Tests ----------------------------------------------------------------------------------
test: setup lint test-native test-wasm test-e2e

lint: rust-tools
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy --lib --target $(WASM_TARGET) -- -D warnings
	cargo clippy --lib --target $(WASM_TARGET) --features test-hooks -- -D warnings
	cargo clippy --lib --target $(WASM_TARGET) --features lab -- -D warnings

test-native:
	cargo test

# wasm-bindgen-test in headless Chromium through ChromeDriver (capabilities in webdriver.json).
test-wasm: rust-tools wasm-bindgen-cli browser
	CHROMEDRIVER='$(CHROMEDRIVER)' \
	CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER='$(WASM_BINDGEN_TEST_RUNNER)' \
	  cargo test --target $(WASM_TARGET) --test web

# The real page in headless Chromium (Playwright driving Debian's Chromium).
test-e2e: build-test-hooks build browser npm-packages size
	cargo build --bin converge
	cargo build --release --bin converge
	TEST_PKG='$(TEST_PKG)' node --test tests/e2e/

## Benchmarks -----------------------------------------------------------------------------
bench: bench-native bench-wasm

bench-native:
	cargo bench --bench optimizers --bench models
	cargo run --release --bin converge -- bench --json | tee target/bench-native.json

bench-wasm: build browser npm-packages
	node tests/e2e/bench.mjs | tee target/bench-wasm.json

## Fuzzing ------------------------------------------------------------------------------
# Runs every target of fuzz/ for FUZZ_SECONDS from its seeds (fuzz/seeds/<target>, in git) and
# the corpus it grew before (fuzz/corpus/<target>, not in git). One summary line per target goes
# to fuzz/target/fuzz-summary.txt:
#   fuzz target=config_json seconds=600 executions=123456 result=ok
# result=finding means a crash, a broken property or a hang; its input is in fuzz/artifacts/<target>/.
# Once fixed, copy that input to fuzz/regressions/<target>/, which `cargo test` replays.
fuzz: cargo-fuzz
	export RUSTC_BOOTSTRAP=1
	cd fuzz
	'$(CARGO_FUZZ)' build -s $(FUZZ_SANITIZER)
	mkdir -p target
	summary=target/fuzz-summary.txt
	: > $$summary
	failed=0
	for target in $(FUZZ_TARGETS); do
	  mkdir -p corpus/$$target
	  log=target/fuzz-$$target.log
	  result=ok
	  '$(CARGO_FUZZ)' run -s $(FUZZ_SANITIZER) $$target corpus/$$target seeds/$$target -- \
	    -max_total_time=$(FUZZ_SECONDS) -timeout=$(FUZZ_TIMEOUT) -print_final_stats=1 > $$log 2>&1 || { result=finding; failed=1; }
	  executions=$$(grep -o 'stat::number_of_executed_units: *[0-9]*' $$log | grep -o '[0-9]*$$' | tail -n 1 || true)
	  if [ -z "$$executions" ]; then executions=$$(grep -o '^#[0-9]*' $$log | tr -d '#' | tail -n 1 || true); fi
	  echo "fuzz target=$$target seconds=$(FUZZ_SECONDS) executions=$${executions:-0} result=$$result" | tee -a $$summary
	  if [ $$result != ok ]; then tail -n 40 $$log; fi
	done
	[ $$failed -eq 0 ]

clean:
	cargo clean
	rm -rf www/pkg node_modules

## PyTorch scripts ------------------------------------------------------------------------
# Every run of tests/torch/*.json replayed by its script with torch must end where converge run
# ends (step, status, params and loss within 1e-9 relative). Not part of `make test`: it needs
# torch, which the project does not install.
test-torch:
	cargo build --bin converge
	'$(TORCH_PYTHON)' tests/torch/compare.py
