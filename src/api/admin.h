/* Administration over HTTP: the organisation's units, the people's
 * accounts and the working-day calendar. Everyone signed in reads the unit
 * tree and the calendar; administrators change them; administrators and
 * leaders read the accounts. Every change is written with an audit entry in
 * the same transaction. */
#ifndef SF_API_ADMIN_H
#define SF_API_ADMIN_H

#include "api/req.h"

/* GET /api/v1/units[?kind=], POST /api/v1/units, PATCH /api/v1/units/{id}. */
int sf_api_units_list(struct sf_req *req);
int sf_api_units_create(struct sf_req *req);
int sf_api_units_update(struct sf_req *req);

/* GET /api/v1/users[?unit=&role=&q=&limit=&offset=], POST /api/v1/users,
 * PATCH /api/v1/users/{id}. Phones are shown masked, never in clear;
 * password hashes never leave the store. */
int sf_api_users_list(struct sf_req *req);
int sf_api_users_create(struct sf_req *req);
int sf_api_users_update(struct sf_req *req);

/* GET /api/v1/calendar[?year=], GET /api/v1/calendar/deadline?start=&days=,
 * POST /api/v1/calendar/import (body: a cn-YYYY.csv file as text/csv). */
int sf_api_calendar_get(struct sf_req *req);
int sf_api_calendar_deadline(struct sf_req *req);
int sf_api_calendar_import(struct sf_req *req);

#endif
