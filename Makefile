# Thin wrapper around CMake/CTest for libgup.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

PREFIX     ?= /usr/local
JOBS       ?= 2
CMAKE      ?= cmake
CTEST      ?= ctest
CLANG_FORMAT ?= clang-format

BUILD_DIR  := build
ASAN_DIR   := build-asan
TSAN_DIR   := build-tsan

DEB_PKGS := build-essential cmake pkg-config liburcu-dev libcmocka-dev libbsd-dev \
	    clang libclang-rt-14-dev liburing-dev gnuplot-nox graphviz

FORMAT_DIRS := include src tools tests bench
FORMAT_FILES = $(shell find $(wildcard $(FORMAT_DIRS)) -type f \( -name '*.c' -o -name '*.h' \) 2>/dev/null | sort)

# GUP_PROFILE=5.11 make test runs only that profile's copy of every test (label profile-NAME).
PROFILE_LABEL = $(if $(GUP_PROFILE),-L '^profile-$(GUP_PROFILE)$$')

.PHONY: all deps build run test test-tsan install format format-check docs clean

all: build

deps:
	@missing=""; \
	for p in $(DEB_PKGS); do \
		st=$$(dpkg-query -W -f='$${Status}' "$$p" 2>/dev/null || true); \
		[ "$$st" = "install ok installed" ] || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" -eq 0 ]; then \
		echo "deps: installing:$$missing"; \
		apt-get update; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; \
	else \
		echo "deps: missing packages:$$missing" >&2; \
		echo "run: sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends$$missing" >&2; \
		exit 1; \
	fi

build:
	$(CMAKE) -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGUP_DEBUG=ON -DGUP_SANITIZE=
	$(CMAKE) --build $(BUILD_DIR) -j$(JOBS)

run: deps build
	@if [ -x $(BUILD_DIR)/gup ] && [ -f examples/tour.gup ]; then \
		echo "+ $(BUILD_DIR)/gup run examples/tour.gup"; \
		$(BUILD_DIR)/gup run examples/tour.gup; \
	elif [ -d tools/demo ] && [ -x $(BUILD_DIR)/gup-demo ]; then \
		echo "+ $(BUILD_DIR)/gup-demo"; \
		$(BUILD_DIR)/gup-demo; \
	else \
		echo "run: nothing to run (need build/gup + examples/tour.gup, or tools/demo/)" >&2; \
		exit 1; \
	fi

test: deps
	$(CMAKE) -S . -B $(ASAN_DIR) -DCMAKE_BUILD_TYPE=Debug -DGUP_SANITIZE=address
	$(CMAKE) --build $(ASAN_DIR) -j$(JOBS)
	cd $(ASAN_DIR) && $(CTEST) --output-on-failure --no-tests=error -j$(JOBS) $(PROFILE_LABEL)

# Concurrency tests are labelled "concurrency" by CMake: tests/stress/*, any test
# whose name matches stress|concurrency|concurrent|thread|race, and the unit
# tests that spawn threads (sim_point, pin_owner, no_task, fidelity).
test-tsan: deps
	$(CMAKE) -S . -B $(TSAN_DIR) -DCMAKE_BUILD_TYPE=Debug -DGUP_SANITIZE=thread
	$(CMAKE) --build $(TSAN_DIR) -j$(JOBS)
	cd $(TSAN_DIR) && $(CTEST) --output-on-failure -j$(JOBS) -L concurrency

install:
	$(CMAKE) -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGUP_DEBUG=ON -DGUP_SANITIZE= \
		-DCMAKE_INSTALL_PREFIX=$(PREFIX)
	$(CMAKE) --build $(BUILD_DIR) -j$(JOBS)
	$(CMAKE) --install $(BUILD_DIR)

# The command tables of docs/scenarios.md and docs/gup.1 come from the scenario
# language's command table; CTest's docs_command_tables checks them.
docs: build
	tests/docs/sync_docs.sh $(BUILD_DIR)/gup --update docs/scenarios.md docs/gup.1

format:
	@files="$(FORMAT_FILES)"; [ -z "$$files" ] || $(CLANG_FORMAT) -i $$files

format-check:
	@files="$(FORMAT_FILES)"; [ -z "$$files" ] || $(CLANG_FORMAT) --dry-run -Werror $$files

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) $(TSAN_DIR)
