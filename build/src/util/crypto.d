build/src/util/crypto.o: src/util/crypto.c src/util/crypto.h \
 src/util/err.h src/util/mem.h
src/util/crypto.h:
src/util/err.h:
src/util/mem.h:
