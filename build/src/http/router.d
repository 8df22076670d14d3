build/src/http/router.o: src/http/router.c src/http/router.h \
 src/api/route.h
src/http/router.h:
src/api/route.h:
