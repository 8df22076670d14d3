build/src/util/json.o: src/util/json.c src/util/json.h src/util/buf.h \
 src/util/err.h src/util/jw.h src/util/mem.h src/util/utf8.h
src/util/json.h:
src/util/buf.h:
src/util/err.h:
src/util/jw.h:
src/util/mem.h:
src/util/utf8.h:
