build/src/main.o: src/main.c src/cli/cli.h src/api/app.h \
 src/domain/calendar.h src/util/err.h src/store/db.h src/util/crypto.h \
 src/cli/config.h src/util/log.h
src/cli/cli.h:
src/api/app.h:
src/domain/calendar.h:
src/util/err.h:
src/store/db.h:
src/util/crypto.h:
src/cli/config.h:
src/util/log.h:
