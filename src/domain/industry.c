/* GB/T 4754-2017 sections and their division ranges; see industry.h. */
#include "domain/industry.h"

#include <string.h>

static const struct {
	char letter;
	int first, last; /* division range */
	const char *name;
} sections[] = {
	{ 'A', 1, 5, "农、林、牧、渔业" },
	{ 'B', 6, 12, "采矿业" },
	{ 'C', 13, 43, "制造业" },
	{ 'D', 44, 46, "电力、热力、燃气及水生产和供应业" },
	{ 'E', 47, 50, "建筑业" },
	{ 'F', 51, 52, "批发和零售业" },
	{ 'G', 53, 60, "交通运输、仓储和邮政业" },
	{ 'H', 61, 62, "住宿和餐饮业" },
	{ 'I', 63, 65, "信息传输、软件和信息技术服务业" },
	{ 'J', 66, 69, "金融业" },
	{ 'K', 70, 70, "房地产业" },
	{ 'L', 71, 72, "租赁和商务服务业" },
	{ 'M', 73, 75, "科学研究和技术服务业" },
	{ 'N', 76, 79, "水利、环境和公共设施管理业" },
	{ 'O', 80, 82, "居民服务、修理和其他服务业" },
	{ 'P', 83, 83, "教育" },
	{ 'Q', 84, 85, "卫生和社会工作" },
	{ 'R', 86, 90, "文化、体育和娱乐业" },
	{ 'S', 91, 96, "公共管理、社会保障和社会组织" },
	{ 'T', 97, 97, "国际组织" },
};

#define NSECTIONS (sizeof(sections) / sizeof(sections[0]))

const char *sf_industry_section_name(const char *section)
{
	if (!section || !section[0] || section[1])
		return NULL;
	for (size_t i = 0; i < NSECTIONS; i++)
		if (sections[i].letter == section[0])
			return sections[i].name;
	return NULL;
}

char sf_industry_section_of(const char *division)
{
	int d;

	if (!division || strlen(division) != 2 || division[0] < '0' || division[0] > '9' ||
	    division[1] < '0' || division[1] > '9')
		return '\0';
	d = (division[0] - '0') * 10 + (division[1] - '0');
	for (size_t i = 0; i < NSECTIONS; i++)
		if (d >= sections[i].first && d <= sections[i].last)
			return sections[i].letter;
	return '\0';
}

bool sf_industry_valid(const char *section, const char *division)
{
	if (!sf_industry_section_name(section))
		return false;
	if (!division || !*division)
		return true;
	return sf_industry_section_of(division) == section[0];
}
