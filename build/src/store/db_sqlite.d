build/src/store/db_sqlite.o: src/store/db_sqlite.c src/store/db_impl.h \
 src/store/db.h src/util/err.h src/util/mem.h
src/store/db_impl.h:
src/store/db.h:
src/util/err.h:
src/util/mem.h:
