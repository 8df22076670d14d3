build/src/http/static.o: src/http/static.c src/http/static.h \
 src/util/err.h
src/http/static.h:
src/util/err.h:
