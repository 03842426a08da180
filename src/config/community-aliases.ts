/**
 * Community objects -> the alias table (metallb-behaviour.md §2.6): values are literals, names are unique
 * across all Community objects.
 */
import type { Community } from '../api/schema/community.js';
import { joinPath } from '../api/field-path.js';
import { type BgpCommunity, parseCommunity } from './community.js';
import type { ObjectRef, ProblemList } from './problems.js';

export function parseCommunityAliases(
  objects: readonly { readonly obj: Community; readonly ref: ObjectRef }[],
  problems: ProblemList,
): Map<string, BgpCommunity> {
  const aliases = new Map<string, BgpCommunity>();
  const definedBy = new Map<string, string>();
  for (const { obj, ref } of objects) {
    (obj.spec?.communities ?? []).forEach((entry, i) => {
      const path = joinPath('spec.communities', i);
      const name = entry.name ?? '';
      const value = entry.value ?? '';
      const parsed = parseCommunity(value);
      if ('invalid' in parsed) problems.add('community-syntax', ref, `${path}.value`, parsed.invalid);
      else if ('notLiteral' in parsed) {
        problems.add('community-syntax', ref, `${path}.value`, `invalid community "${value}": expected A:B or large:A:B:C`);
      }
      const owner = definedBy.get(name);
      if (owner !== undefined) {
        const where = owner === ref.name ? 'in the same object' : `in Community "${owner}"`;
        problems.add('community-alias-duplicate', ref, `${path}.name`, `alias "${name}" is already defined ${where}`);
        return;
      }
      definedBy.set(name, ref.name);
      if ('community' in parsed) aliases.set(name, parsed.community);
    });
  }
  return aliases;
}
