build/src/domain/role.o: src/domain/role.c src/domain/role.h
src/domain/role.h:
