build/src/util/arena.o: src/util/arena.c src/util/arena.h src/util/mem.h
src/util/arena.h:
src/util/mem.h:
