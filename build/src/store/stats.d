build/src/store/stats.o: src/store/stats.c src/store/stats.h \
 src/store/db.h src/util/err.h
src/store/stats.h:
src/store/db.h:
src/util/err.h:
