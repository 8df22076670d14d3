build/src/store/chain.o: src/store/chain.c src/store/chain.h \
 src/store/db.h src/util/err.h src/util/crypto.h
src/store/chain.h:
src/store/db.h:
src/util/err.h:
src/util/crypto.h:
