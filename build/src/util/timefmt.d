build/src/util/timefmt.o: src/util/timefmt.c src/util/timefmt.h \
 src/util/err.h
src/util/timefmt.h:
src/util/err.h:
