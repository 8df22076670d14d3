build/src/domain/mask.o: src/domain/mask.c src/domain/mask.h \
 src/util/err.h
src/domain/mask.h:
src/util/err.h:
