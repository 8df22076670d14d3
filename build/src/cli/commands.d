build/src/cli/commands.o: src/cli/commands.c src/cli/cli.h src/api/app.h \
 src/domain/calendar.h src/util/err.h src/store/db.h src/util/crypto.h
src/cli/cli.h:
src/api/app.h:
src/domain/calendar.h:
src/util/err.h:
src/store/db.h:
src/util/crypto.h:
