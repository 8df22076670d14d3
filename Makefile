# Sanfu: plain GNU Makefile. `make` builds build/sanfu; `make run` sets up
# and serves the demo; `make test` runs the whole suite; `make check` adds
# format, layering and static analysis; `make san` runs the suite under
# ASan+UBSan.

CC ?= gcc
BUILD ?= build
PKGS := libmicrohttpd jansson sqlite3 libsodium xlsxwriter libpq nettle
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
WARN := -Wall -Wextra -Wshadow -Wformat=2 -Wvla -Werror -Wno-unused-parameter
OPT ?= -O2 -g
CFLAGS ?=
CFLAGS += -std=c17 -D_GNU_SOURCE $(OPT) $(WARN) -Isrc $(PKG_CFLAGS) $(EXTRA_CFLAGS)
LDLIBS += $(PKG_LIBS) -lpthread -lm $(EXTRA_LDFLAGS)

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
CFLAGS += -DSF_VERSION='"$(VERSION)"'

SRC := $(sort $(wildcard src/util/*.c src/domain/*.c src/store/*.c src/api/*.c src/http/*.c src/cli/*.c))
OBJ := $(SRC:%.c=$(BUILD)/%.o)
MAIN_OBJ := $(BUILD)/src/main.o
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

# Fuzz targets tests/fuzz/fuzz_NAME.c: replay_NAME (any compiler, for make
# test) and fuzz_NAME (clang's libFuzzer, for make fuzz), both in $(BUILD)/fuzz.
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_NAMES := $(FUZZ_SRC:tests/fuzz/fuzz_%.c=%)
FUZZ_REPLAY := $(FUZZ_NAMES:%=$(BUILD)/fuzz/replay_%)
FUZZ_BIN := $(FUZZ_NAMES:%=$(BUILD)/fuzz/fuzz_%)
FUZZ_CC ?= clang
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS = -std=c17 -D_GNU_SOURCE -O1 -g -fno-omit-frame-pointer $(WARN) -Isrc \
	$(PKG_CFLAGS) -DSF_VERSION='"$(VERSION)"' $(EXTRA_CFLAGS) $(FUZZ_SAN)
FUZZ_OBJ := $(SRC:%.c=$(BUILD)/fuzz-obj/%.o)
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= $(FUZZ_NAMES)

.PHONY: all run test test-unit test-api test-e2e check san clean deps format lint layering bench \
	fuzz fuzz-build fuzz-replay

all: $(BUILD)/sanfu

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC $<"
	@$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libsanfu.a: $(OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/sanfu: $(MAIN_OBJ) $(BUILD)/libsanfu.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# The HTTP library's own ceiling for make bench (bench/lib/mhd-static.c).
$(BUILD)/bench/mhd-static: bench/lib/mhd-static.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libsanfu.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests -o $@ $< $(BUILD)/libsanfu.a $(LDLIBS) -lcmocka

$(BUILD)/fuzz/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay_main.c tests/fuzz/fuzz.h \
		$(BUILD)/libsanfu.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/fuzz -o $@ $< tests/fuzz/replay_main.c $(BUILD)/libsanfu.a \
		$(LDLIBS)

# The library again, compiled by clang with coverage for libFuzzer.
$(BUILD)/fuzz-obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC (fuzz) $<"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(BUILD)/fuzz-obj/libsanfu.a: $(FUZZ_OBJ)
	@rm -f $@
	@echo "  AR $@"
	@ar rcs $@ $^

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(BUILD)/fuzz-obj/libsanfu.a
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -Itests/fuzz -o $@ $< \
		$(BUILD)/fuzz-obj/libsanfu.a $(LDLIBS)

fuzz-replay: $(FUZZ_REPLAY)

fuzz-build: $(FUZZ_REPLAY) $(FUZZ_BIN)

# Each target for FUZZ_SECONDS from its committed corpus; new inputs go to a
# temporary directory (named at the end: merge the useful ones by hand),
# crashes to tests/fuzz/crashes/NAME/. FUZZ_TARGETS="json csv" picks some.
# Reproduce a crash with build/fuzz/replay_NAME FILE (or fuzz_NAME FILE).
fuzz: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/fuzz_%) $(FUZZ_TARGETS:%=$(BUILD)/fuzz/replay_%)
	@new=$$(mktemp -d -t sanfu-fuzz.XXXXXX); failed=""; \
	for t in $(FUZZ_TARGETS); do \
		mkdir -p "$$new/$$t" tests/fuzz/crashes/$$t; \
		dict=; [ -f tests/fuzz/$$t.dict ] && dict=-dict=tests/fuzz/$$t.dict; \
		echo "== fuzz_$$t for $(FUZZ_SECONDS) s"; \
		$(BUILD)/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
			-rss_limit_mb=2048 -print_final_stats=1 $$dict \
			-artifact_prefix=tests/fuzz/crashes/$$t/ "$$new/$$t" tests/fuzz/corpus/$$t \
			>"$$new/$$t.log" 2>&1 || failed="$$failed $$t"; \
		grep -E '^#[0-9]+[[:space:]]+DONE|^stat::|ERROR|SUMMARY|Test unit written' "$$new/$$t.log"; \
	done; \
	echo "new corpus entries and full logs: $$new"; \
	if [ -n "$$failed" ]; then echo "fuzz: crashes in:$$failed (see tests/fuzz/crashes/)"; exit 1; fi

deps:
	scripts/deps.sh

run: deps all
	scripts/run-demo.sh

test: deps all $(UNIT_BIN) $(FUZZ_REPLAY)
	BUILD=$(BUILD) tests/run.sh

test-unit: all $(UNIT_BIN)
	BUILD=$(BUILD) SF_ONLY=unit tests/run.sh

test-api: all
	BUILD=$(BUILD) SF_ONLY=api tests/run.sh

test-e2e: deps all
	BUILD=$(BUILD) SF_ONLY=e2e tests/run.sh

san:
	$(MAKE) BUILD=build-san OPT="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		EXTRA_LDFLAGS="-fsanitize=address,undefined" test

format:
	clang-format -i $(SRC) src/main.c $(wildcard src/*/*.h) $(UNIT_SRC) bench/lib/mhd-static.c

lint: layering
	@clang-format --dry-run --Werror $(SRC) src/main.c $(wildcard src/*/*.h) $(UNIT_SRC) \
		bench/lib/mhd-static.c
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability --inline-suppr \
		--suppress=missingIncludeSystem -Isrc $(SRC) src/main.c

layering:
	scripts/check-layers.sh

check: lint test san

bench: all $(BUILD)/bench/mhd-static
	bench/run.sh

clean:
	rm -rf build build-san

-include $(OBJ:.o=.d) $(MAIN_OBJ:.o=.d) $(FUZZ_OBJ:.o=.d)
