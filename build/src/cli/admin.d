build/src/cli/admin.o: src/cli/admin.c src/api/scan.h src/api/app.h \
 src/domain/calendar.h src/util/err.h src/store/db.h src/util/crypto.h \
 src/cli/cli.h src/domain/role.h src/store/audit.h src/store/chain.h \
 src/store/schema.h src/store/unit.h src/store/user.h src/util/timefmt.h
src/api/scan.h:
src/api/app.h:
src/domain/calendar.h:
src/util/err.h:
src/store/db.h:
src/util/crypto.h:
src/cli/cli.h:
src/domain/role.h:
src/store/audit.h:
src/store/chain.h:
src/store/schema.h:
src/store/unit.h:
src/store/user.h:
src/util/timefmt.h:
