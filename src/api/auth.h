/* Who is asking: session cookies, Bearer API tokens, CSRF, login with
 * lockout, logout, and the signed-in person's own record. */
#ifndef SF_AUTH_H
#define SF_AUTH_H

#include <stdbool.h>

#include "api/req.h"

#define SF_AUTH_COOKIE "sanfu_session"

/* Fill req->who from a Bearer token or the session cookie. A bad Bearer
 * token is an error (401); a missing or expired cookie leaves nobody signed
 * in, and routes that need a person answer 401. */
int sf_auth_resolve(struct sf_req *req);
/* The CSRF token sent with a cookie-authenticated write matches. */
bool sf_auth_csrf_ok(const struct sf_req *req, const char *token);

int sf_api_login(struct sf_req *req);
int sf_api_logout(struct sf_req *req);
int sf_api_me(struct sf_req *req);
int sf_api_password(struct sf_req *req);

#endif
