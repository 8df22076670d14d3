build/src/store/audit.o: src/store/audit.c src/store/audit.h \
 src/store/db.h src/util/err.h src/store/chain.h
src/store/audit.h:
src/store/db.h:
src/util/err.h:
src/store/chain.h:
