build/src/http/server.o: src/http/server.c src/http/server.h \
 src/api/app.h src/domain/calendar.h src/util/err.h src/store/db.h \
 src/util/crypto.h src/api/auth.h src/api/req.h src/domain/role.h \
 src/util/arena.h src/util/buf.h src/api/route.h src/http/router.h \
 src/http/static.h src/util/jw.h src/util/log.h src/util/mem.h \
 src/util/metrics.h src/util/timefmt.h src/util/utf8.h
src/http/server.h:
src/api/app.h:
src/domain/calendar.h:
src/util/err.h:
src/store/db.h:
src/util/crypto.h:
src/api/auth.h:
src/api/req.h:
src/domain/role.h:
src/util/arena.h:
src/util/buf.h:
src/api/route.h:
src/http/router.h:
src/http/static.h:
src/util/jw.h:
src/util/log.h:
src/util/mem.h:
src/util/metrics.h:
src/util/timefmt.h:
src/util/utf8.h:
