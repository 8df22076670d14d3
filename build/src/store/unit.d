build/src/store/unit.o: src/store/unit.c src/store/unit.h src/store/db.h \
 src/util/err.h
src/store/unit.h:
src/store/db.h:
src/util/err.h:
