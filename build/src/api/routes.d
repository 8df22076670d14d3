build/src/api/routes.o: src/api/routes.c src/api/route.h src/api/auth.h \
 src/api/req.h src/domain/role.h src/util/arena.h src/util/buf.h \
 src/util/err.h src/api/system.h
src/api/route.h:
src/api/auth.h:
src/api/req.h:
src/domain/role.h:
src/util/arena.h:
src/util/buf.h:
src/util/err.h:
src/api/system.h:
