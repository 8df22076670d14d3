build/src/api/app.o: src/api/app.c src/api/app.h src/domain/calendar.h \
 src/util/err.h src/store/db.h src/util/crypto.h src/store/calendar.h \
 src/store/schema.h src/util/log.h src/util/mem.h src/util/metrics.h \
 src/util/buf.h src/util/timefmt.h
src/api/app.h:
src/domain/calendar.h:
src/util/err.h:
src/store/db.h:
src/util/crypto.h:
src/store/calendar.h:
src/store/schema.h:
src/util/log.h:
src/util/mem.h:
src/util/metrics.h:
src/util/buf.h:
src/util/timefmt.h:
