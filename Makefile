# Sanfu: plain GNU Makefile. `make` builds build/sanfu; `make run` sets up
# and serves the demo; `make test` runs the whole suite; `make check` adds
# format, layering and static analysis; `make san` runs the suite under
# ASan+UBSan.

CC ?= gcc
BUILD ?= build
PKGS := libmicrohttpd jansson sqlite3 libsodium xlsxwriter libpq
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

.PHONY: all run test test-unit test-api test-e2e check san clean deps format lint layering bench

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

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libsanfu.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests -o $@ $< $(BUILD)/libsanfu.a $(LDLIBS) -lcmocka

deps:
	scripts/deps.sh

run: deps all
	scripts/run-demo.sh

test: deps all $(UNIT_BIN)
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
	clang-format -i $(SRC) src/main.c $(wildcard src/*/*.h) $(UNIT_SRC)

lint: layering
	@clang-format --dry-run --Werror $(SRC) src/main.c $(wildcard src/*/*.h) $(UNIT_SRC)
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability --inline-suppr \
		--suppress=missingIncludeSystem -Isrc $(SRC) src/main.c

layering:
	scripts/check-layers.sh

check: lint test san

bench: all
	bench/run.sh

clean:
	rm -rf build build-san

-include $(OBJ:.o=.d) $(MAIN_OBJ:.o=.d)
