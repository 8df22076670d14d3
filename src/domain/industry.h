/* Industries of the national classification GB/T 4754-2017 (国民经济行业分类):
 * the 20 sections A-T (门类) and the two-digit divisions (大类) 01-97 each
 * holds, for validating and labelling an enterprise's industry. Pure.
 * Not for: the classes and groups below divisions (not kept). */
#ifndef SF_INDUSTRY_H
#define SF_INDUSTRY_H

#include <stdbool.h>

/* The Chinese name of section "A".."T", or NULL when there is none. */
const char *sf_industry_section_name(const char *section);
/* The section letter ('A'..'T') holding division "01".."97", or '\0' when
 * the text is not a division of the classification. */
char sf_industry_section_of(const char *division);
/* Whether section and division are valid and agree. An empty division is
 * accepted with any valid section (only the section is known). */
bool sf_industry_valid(const char *section, const char *division);

#endif
