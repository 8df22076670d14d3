/* Pairing (结对) over HTTP: each of the sub-district's leaders is paired
 * with key enterprises and a middle cadre serves each as liaison.
 * Reassigning keeps the history; a leader's page lists their enterprises
 * with when each was last visited and the open orders among them; the
 * coverage table shows, per leader, how many of their enterprises were
 * visited this quarter. */
#ifndef SF_API_PAIRING_H
#define SF_API_PAIRING_H

#include <stdint.h>

#include "api/req.h"

/* UTC seconds of 00:00 Shanghai on the first day of the quarter holding now. */
int64_t sf_pairing_quarter_start(int64_t now);

int sf_api_pairing_set(struct sf_req *req);      /* PUT /enterprises/{id}/pairing */
int sf_api_pairing_history(struct sf_req *req);  /* GET /enterprises/{id}/pairings */
int sf_api_pairing_coverage(struct sf_req *req); /* GET /pairing/leaders */
int sf_api_pairing_leader(struct sf_req *req);   /* GET /pairing/leaders/{id} */
int sf_api_pairing_mine(struct sf_req *req);     /* GET /pairing/mine */

#endif
