# certdeck front door. All build logic lives in CMakeLists.txt; this file only installs the
# Debian packages, configures, builds and runs. Targets: deps, build, demo, check, fuzz, bench, format,
# install / uninstall (PREFIX, default /usr/local; DESTDIR), deb.

DEB_PACKAGES := gcc make cmake pkg-config libcurl4-openssl-dev libssl-dev libcjson-dev \
                libmicrohttpd-dev libncurses-dev libcmocka-dev tmux ca-certificates locales \
                groff-base man-db dpkg-dev tzdata clang libclang-rt-dev
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
CTEST := ctest --output-on-failure --no-tests=error -j$(JOBS)
PREFIX ?= /usr/local

.PHONY: all deps build demo check check-plain check-asan check-tsan check-release fuzz bench \
        format clean \
        install uninstall deb

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

check: deps check-plain check-asan check-tsan check-release

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

# -O3 (CMAKE_BUILD_TYPE=Release) sees warnings that -O2 does not: everything is compiled once
# more with -Werror, so that a release build never fails. Nothing runs.
check-release: deps
	cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DCERTDECK_WERROR=ON -DCERTDECK_FUZZ=OFF
	cmake --build build-release -j$(JOBS)

# Each libFuzzer target for FUZZ_SECONDS (default 300) over its corpus; new inputs are kept in
# build/fuzz-found/<target>/ (fold them in: see README, "Fuzzing").
FUZZ_SECONDS ?= 300
fuzz: build
	@ls build/fuzz/fuzz_* >/dev/null 2>&1 || { echo "fuzz targets not built: no clang with libFuzzer (make deps installs it)"; exit 1; }
	@for b in build/fuzz/fuzz_*; do [ -f "$$b" ] && [ -x "$$b" ] || continue; t=$${b#build/fuzz/fuzz_}; \
	  mkdir -p build/fuzz-found/$$t; \
	  FUZZ_KEEP_DIR=build/fuzz-found/$$t bash tests/fuzz/run.sh "$$b" tests/fuzz/corpus/$$t --time $(FUZZ_SECONDS) || exit 1; \
	done

# One table of figures (tests/bench/run.sh: the C benches and every tests/bench/*.bench.sh);
# the build's own output only if it fails.
bench: deps build/CMakeCache.txt
	@cmake --build build -j$(JOBS) >build/bench-build.log 2>&1 || { cat build/bench-build.log; exit 1; }
	@tests/bench/run.sh build

# cmake --install records what it wrote in build/install_manifest.txt; uninstall removes that.
install: build
	DESTDIR="$(DESTDIR)" cmake --install build --prefix "$(PREFIX)"

uninstall:
	DESTDIR="$(DESTDIR)" cmake -DMANIFEST=build/install_manifest.txt -P packaging/uninstall.cmake

# certdeck_<version>_<arch>.deb in build-deb/ (CPack, Depends from dpkg-shlibdeps), built with
# Debian's hardening flags (dpkg-buildflags).
deb: deps
	export DEB_BUILD_MAINT_OPTIONS=hardening=+all; \
	cmake -S . -B build-deb -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCERTDECK_WERROR=ON \
	  -DCMAKE_INSTALL_PREFIX=/usr -DCERTDECK_ZSH_COMPLETION_DIR=share/zsh/vendor-completions \
	  -DCMAKE_C_FLAGS="$$(dpkg-buildflags --get CPPFLAGS) $$(dpkg-buildflags --get CFLAGS)" \
	  -DCMAKE_EXE_LINKER_FLAGS="$$(dpkg-buildflags --get LDFLAGS)"
	cmake --build build-deb -j$(JOBS) --target certdeck certdeck-emulator docs
	cd build-deb && cpack
	@ls build-deb/certdeck_*.deb

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build build-asan build-tsan build-release build-deb
