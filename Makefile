# certdeck front door. All build logic lives in CMakeLists.txt; this file only installs the
# Debian packages, configures, builds and runs. Targets: deps, build, demo, check, bench, format.

DEB_PACKAGES := gcc make cmake pkg-config libcurl4-openssl-dev libssl-dev libcjson-dev \
                libmicrohttpd-dev libncurses-dev libcmocka-dev tmux ca-certificates locales
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
CTEST := ctest --output-on-failure --no-tests=error -j$(JOBS)

.PHONY: all deps build demo check check-plain check-asan check-tsan bench format clean

all: build

deps:
	@if ! command -v dpkg >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then \
	  echo "certdeck: not a Debian system; install these packages (or their equivalents):"; \
	  echo "  $(DEB_PACKAGES)"; exit 1; fi; \
	missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "certdeck: installing$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

build/CMakeCache.txt:
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCERTDECK_WERROR=ON

build: deps build/CMakeCache.txt
	cmake --build build -j$(JOBS)

demo: build
	./build/certdeck --demo

check: deps check-plain check-asan check-tsan

check-plain: build
	cd build && $(CTEST)

check-asan: deps
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCERTDECK_SANITIZE=address,undefined
	cmake --build build-asan -j$(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 $(CTEST)

# The worker, the store and the scripted TUI run again under ThreadSanitizer.
check-tsan: deps
	cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=Debug -DCERTDECK_SANITIZE=thread
	cmake --build build-tsan -j$(JOBS)
	cd build-tsan && TSAN_OPTIONS=halt_on_error=1 setarch -R $(CTEST) -L 'tsan'

bench: build
	@for b in build/bench_*; do [ -x "$$b" ] && "$$b"; done

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build build-asan build-tsan
