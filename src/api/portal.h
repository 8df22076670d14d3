/* The public portal's own API (no login): a resident files a problem and
 * gets a tracking code and a secret, follows it with both, adds a photo,
 * and rates the result once it is resolved. Only public information goes
 * out: state, category, public notes, the result and the return call's
 * summary; never internal notes, staff names or anyone's personal data.
 * Submissions are limited per IP (cfg.public_rate an hour). */
#ifndef SF_API_PORTAL_H
#define SF_API_PORTAL_H

#include "api/req.h"

/* Most public photos one order takes through the portal. */
#define SF_PORTAL_PHOTOS_MAX 3

/* POST /api/v1/public/orders {category, description, address, phone?,
 * title?}: files an order through the web channel as the public.
 * 201 {tracking_code, secret, url, state, deadline}. Errors: 400 naming
 * the field, 429 rate_limited (cfg.public_rate submissions per IP per hour;
 * a failed submission does not count). */
int sf_api_portal_submit(struct sf_req *req);

/* GET /api/v1/public/orders/{code}?secret=: the public view of the order.
 * 404 not_found alike for an unknown code and a wrong secret. */
int sf_api_portal_track(struct sf_req *req);

/* POST /api/v1/public/orders/{code}/rate {secret, rating, comment?}: rate
 * once the order is resolved; "unsatisfied" reopens it. Answers the public
 * view as GET does. Errors: 404, 409 not_ratable (not resolved yet) or
 * already_rated (rated since it was last resolved), 400 rating. */
int sf_api_portal_rate(struct sf_req *req);

/* POST /api/v1/public/orders/{code}/photo?secret= with an image body
 * (image/jpeg, png, webp or gif, checked against its first bytes, at most
 * cfg.upload_max bytes): adds a public photo to an open order, at most
 * SF_PORTAL_PHOTOS_MAX per order. 201 {id, mime, size}. Errors: 404, 415,
 * 413, 409 (closed order or too many photos), 429. */
int sf_api_portal_photo(struct sf_req *req);

#endif
