build/src/store/schema.o: src/store/schema.c src/store/schema.h \
 src/store/db.h src/util/err.h src/store/db_impl.h
src/store/schema.h:
src/store/db.h:
src/util/err.h:
src/store/db_impl.h:
