build/src/domain/order.o: src/domain/order.c src/domain/order.h \
 src/domain/role.h src/util/err.h
src/domain/order.h:
src/domain/role.h:
src/util/err.h:
