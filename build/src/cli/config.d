build/src/cli/config.o: src/cli/config.c src/cli/config.h src/api/app.h \
 src/domain/calendar.h src/util/err.h src/store/db.h src/util/crypto.h
src/cli/config.h:
src/api/app.h:
src/domain/calendar.h:
src/util/err.h:
src/store/db.h:
src/util/crypto.h:
