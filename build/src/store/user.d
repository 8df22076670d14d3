build/src/store/user.o: src/store/user.c src/store/user.h \
 src/domain/role.h src/store/db.h src/util/err.h
src/store/user.h:
src/domain/role.h:
src/store/db.h:
src/util/err.h:
