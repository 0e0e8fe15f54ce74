// Device filter vocabulary for the editor: readable names of the protocol's fields and operators,
// which operators take no value, a blank condition/group, and a one-line summary of a filter.
import type { FilterCondition, FilterField, FilterGroup, FilterOperator } from '@borealis/protocol';

export const FIELD_LABELS: Record<FilterField, string> = {
  status: 'Status',
  site: 'Site',
  hostname: 'Hostname',
  description: 'Description',
  os: 'Operating system',
  type: 'Type',
  agentVersion: 'Agent version',
  lastUser: 'Last user',
  internalIp: 'Internal IP',
  externalIp: 'External IP',
  lastReboot: 'Last reboot',
  lastSeen: 'Last seen',
  domain: 'Domain',
  agentId: 'Agent ID',
  agentGuid: 'Agent GUID',
};

export const OPERATOR_LABELS: Record<FilterOperator, string> = {
  contains: 'contains',
  not_contains: 'does not contain',
  empty: 'is empty',
  not_empty: 'is not empty',
  begins_with: 'begins with',
  not_begins_with: 'does not begin with',
  ends_with: 'ends with',
  not_ends_with: 'does not end with',
  equals: 'equals',
  not_equals: 'does not equal',
};

export const takesValue = (op: FilterOperator) => op !== 'empty' && op !== 'not_empty';

export function blankCondition(): FilterCondition {
  return { field: 'hostname', operator: 'contains', value: '', join_with: 'AND' };
}

export function blankGroup(): FilterGroup {
  return { join_with: 'OR', conditions: [blankCondition()] };
}

function conditionText(c: FilterCondition): string {
  const base = `${FIELD_LABELS[c.field]} ${OPERATOR_LABELS[c.operator]}`;
  return takesValue(c.operator) ? `${base} “${c.value}”` : base;
}

/** "(Hostname contains “web” AND Status equals “Online”) OR (…)"; "All devices" when empty. */
export function summarize(groups: FilterGroup[]): string {
  const parts = groups
    .filter((g) => g.conditions.length > 0)
    .map((g, gi) => {
      const text = g.conditions
        .map((c, ci) => (ci === 0 ? conditionText(c) : `${c.join_with} ${conditionText(c)}`))
        .join(' ');
      const wrapped = groups.length > 1 ? `(${text})` : text;
      return gi === 0 ? wrapped : `${g.join_with} ${wrapped}`;
    });
  return parts.length === 0 ? 'All devices' : parts.join(' ');
}
