build/src/store/db_pg.o: src/store/db_pg.c src/store/db_impl.h \
 src/store/db.h src/util/err.h
src/store/db_impl.h:
src/store/db.h:
src/util/err.h:
