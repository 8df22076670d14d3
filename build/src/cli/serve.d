build/src/cli/serve.o: src/cli/serve.c src/api/route.h src/api/scan.h \
 src/api/app.h src/domain/calendar.h src/util/err.h src/store/db.h \
 src/util/crypto.h src/cli/cli.h src/http/router.h src/http/server.h \
 src/util/log.h src/util/metrics.h src/util/buf.h src/util/timefmt.h
src/api/route.h:
src/api/scan.h:
src/api/app.h:
src/domain/calendar.h:
src/util/err.h:
src/store/db.h:
src/util/crypto.h:
src/cli/cli.h:
src/http/router.h:
src/http/server.h:
src/util/log.h:
src/util/metrics.h:
src/util/buf.h:
src/util/timefmt.h:
