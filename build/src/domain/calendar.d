build/src/domain/calendar.o: src/domain/calendar.c src/domain/calendar.h \
 src/util/err.h src/util/mem.h
src/domain/calendar.h:
src/util/err.h:
src/util/mem.h:
