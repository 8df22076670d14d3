build/src/api/common.o: src/api/common.c src/api/common.h src/api/req.h \
 src/domain/role.h src/util/arena.h src/util/buf.h src/util/err.h \
 src/util/timefmt.h src/util/utf8.h
src/api/common.h:
src/api/req.h:
src/domain/role.h:
src/util/arena.h:
src/util/buf.h:
src/util/err.h:
src/util/timefmt.h:
src/util/utf8.h:
