/* Operational endpoints: /healthz and /metrics. */
#ifndef SF_API_SYSTEM_H
#define SF_API_SYSTEM_H

#include "api/req.h"

int sf_api_healthz(struct sf_req *req);
int sf_api_metrics(struct sf_req *req);
/* The OpenAPI 3 document of this API (data/openapi.json). */
int sf_api_openapi(struct sf_req *req);

#endif
