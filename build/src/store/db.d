build/src/store/db.o: src/store/db.c src/store/db.h src/util/err.h \
 src/store/db_impl.h src/util/buf.h src/util/mem.h
src/store/db.h:
src/util/err.h:
src/store/db_impl.h:
src/util/buf.h:
src/util/mem.h:
