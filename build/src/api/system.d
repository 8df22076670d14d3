build/src/api/system.o: src/api/system.c src/api/system.h src/api/req.h \
 src/domain/role.h src/util/arena.h src/util/buf.h src/util/err.h \
 src/api/app.h src/domain/calendar.h src/store/db.h src/util/crypto.h \
 src/store/stats.h src/util/jw.h src/util/metrics.h
src/api/system.h:
src/api/req.h:
src/domain/role.h:
src/util/arena.h:
src/util/buf.h:
src/util/err.h:
src/api/app.h:
src/domain/calendar.h:
src/store/db.h:
src/util/crypto.h:
src/store/stats.h:
src/util/jw.h:
src/util/metrics.h:
