build/src/util/jw.o: src/util/jw.c src/util/jw.h src/util/buf.h \
 src/util/utf8.h
src/util/jw.h:
src/util/buf.h:
src/util/utf8.h:
