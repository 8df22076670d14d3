build/src/store/calendar.o: src/store/calendar.c src/store/calendar.h \
 src/domain/calendar.h src/util/err.h src/store/db.h
src/store/calendar.h:
src/domain/calendar.h:
src/util/err.h:
src/store/db.h:
