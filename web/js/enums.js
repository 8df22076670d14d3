// The enumerations the pages label through i18n keys built from a prefix
// and a value (t('state.' + s)). tests/e2e/i18n.test.mjs imports this file
// and checks that every prefix + value exists in both language files.

export const STATES = ['submitted', 'accepted', 'assigned', 'in_progress', 'resolved', 'feedback',
	'closed', 'rejected', 'returned', 'reopened', 'merged'];
export const ACTIONS = ['create', 'accept', 'reject', 'assign', 'return', 'start',
	'request_extension', 'approve_extension', 'deny_extension', 'resolve', 'return_call', 'rate',
	'close', 'merge', 'supervise', 'note', 'attach', 'warn', 'overdue', 'escalate', 'problem'];
export const ROLES = ['public', 'admin', 'leader', 'dispatcher', 'dept', 'community', 'grid',
	'operator', 'enterprise', 'resident', 'system'];
export const CHANNELS = ['visit', 'phone', 'window', 'web', 'open311'];
export const RATINGS = ['none', 'satisfied', 'basic', 'unsatisfied'];
export const RETURN_REASONS = ['function', 'territory', 'ownership'];
export const REQUESTER_KINDS = ['person', 'enterprise', 'anonymous'];
export const UNIT_KINDS = ['subdistrict', 'department', 'community', 'village', 'village_group',
	'grid', 'workstation', 'external'];
export const SORTS = ['-created', 'created', 'deadline', '-updated'];

// Inbox buckets: which states each tab lists.
export const BUCKETS = {
	open: ['submitted', 'accepted', 'assigned', 'in_progress', 'returned', 'reopened', 'resolved'],
	submitted: ['submitted'],
	handling: ['accepted', 'assigned', 'in_progress', 'reopened'],
	returned: ['returned'],
	resolved: ['resolved'],
	feedback: ['feedback'],
	done: ['closed', 'rejected', 'merged'],
	all: [],
};

// The registers screen's tabs (views/registers.js).
export const REGISTER_TABS = ['enterprises', 'households', 'places', 'village-groups'];

// The staff roles: registers, visits, hazards and pairing are theirs.
export const STAFF_ROLES = ['admin', 'leader', 'dispatcher', 'dept', 'community', 'grid'];

// Visits, hazards, places (the API's enumerations).
export const TARGET_KINDS = ['household', 'enterprise', 'place', 'village'];
export const VISIT_METHODS = ['home', 'night', 'enterprise', 'phone', 'site', 'meeting'];
export const HAZARD_TYPES = ['fire', 'electrical', 'gas', 'structural', 'production', 'traffic', 'environment', 'other'];
export const HAZARD_SEVERITIES = ['minor', 'general', 'major'];
export const HAZARD_STATES = ['open', 'rectified', 'verified'];
export const PLACE_KINDS = ['building', 'park', 'estate'];
// GB/T 4754-2017 sections (门类).
export const INDUSTRY_SECTIONS = 'ABCDEFGHIJKLMNOPQRST'.split('');

// Actions that need no input: a quick button may take them at once.
export const QUICK_ACTIONS = ['accept', 'start', 'close'];

// Actions a person takes through a form (the system ones are never offered).
export const PERSON_ACTIONS = ACTIONS.filter((a) => !['create', 'warn', 'overdue', 'escalate', 'problem'].includes(a));

// Prefix -> values, for the i18n test.
export const I18N_ENUMS = {
	'form.help.': PERSON_ACTIONS,
	'reason_hint.': RETURN_REASONS,
	'reg.tab.': REGISTER_TABS,
	'target.': TARGET_KINDS,
	'method.': VISIT_METHODS,
	'haztype.': HAZARD_TYPES,
	'severity.': HAZARD_SEVERITIES,
	'hazstate.': HAZARD_STATES,
	'placekind.': PLACE_KINDS,
	'section.': INDUSTRY_SECTIONS,
	'state.': STATES,
	'action.': ACTIONS,
	'role.': ROLES,
	'channel.': CHANNELS,
	'rating.': RATINGS,
	'reason.': RETURN_REASONS,
	'kind.': REQUESTER_KINDS,
	'unitkind.': UNIT_KINDS,
	'sort.': SORTS,
	'bucket.': Object.keys(BUCKETS),
};
