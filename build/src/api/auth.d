build/src/api/auth.o: src/api/auth.c src/api/auth.h src/api/req.h \
 src/domain/role.h src/util/arena.h src/util/buf.h src/util/err.h \
 src/api/app.h src/domain/calendar.h src/store/db.h src/util/crypto.h \
 src/api/common.h src/store/audit.h src/store/user.h src/util/json.h \
 src/util/jw.h
src/api/auth.h:
src/api/req.h:
src/domain/role.h:
src/util/arena.h:
src/util/buf.h:
src/util/err.h:
src/api/app.h:
src/domain/calendar.h:
src/store/db.h:
src/util/crypto.h:
src/api/common.h:
src/store/audit.h:
src/store/user.h:
src/util/json.h:
src/util/jw.h:
