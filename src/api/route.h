/* The shape of a route: method, path pattern, handler, and the checks the
 * HTTP layer applies before calling it (authentication, role, CSRF). The
 * table itself is in routes.c; the OpenAPI test compares it with the
 * published document. */
#ifndef SF_ROUTE_H
#define SF_ROUTE_H

struct sf_req;

enum {
	SF_R_PUBLIC = 0,      /* no login needed */
	SF_R_AUTH = 1 << 0,   /* a signed-in person or API token */
	SF_R_NOCSRF = 1 << 1, /* exempt from the CSRF check (login) */
	SF_R_UPLOAD = 1 << 2, /* body may be up to upload_max, any type */
	SF_R_RAW = 1 << 3,    /* not JSON: the handler sets its own type */
	SF_R_FORM = 1 << 4,   /* form-encoded body (Open311) */
};

struct sf_route {
	const char *method;  /* "GET", "POST", ... */
	const char *pattern; /* "/api/v1/orders/{id}"; {x} matches one segment */
	int (*handler)(struct sf_req *req);
	unsigned flags;
	unsigned roles;   /* SF_ROLE_BIT mask; 0 = any signed-in role */
	const char *name; /* for metrics and logs: "orders.get" */
};

/* The route table, ended by an entry with a NULL method. */
extern const struct sf_route sf_routes[];

#endif
