/**
 * Object names as the API server validates them (apimachinery `validation.NameIsDNSSubdomain` and friends),
 * and `generateName` as the server expands it (`names.SimpleNameGenerator`): the prefix is validated with a
 * trailing '-' allowed but not a trailing '.', so `generateName: "web."` is a 422 on a real server.
 */
export type NameRule = 'dns1123Subdomain' | 'dns1123Label' | 'dns1035Label';

const subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const label1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const label1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

const ruleText: Record<NameRule, { max: number; re: RegExp; text: string }> = {
  dns1123Subdomain: {
    max: 253, re: subdomain,
    text: "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
  },
  dns1123Label: {
    max: 63, re: label1123,
    text: "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
  },
  dns1035Label: {
    max: 63, re: label1035,
    text: "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
  },
};

/** Problems with `name` under `rule`; with `prefix`, a trailing '-' is allowed (generateName). */
export function nameProblems(name: string, rule: NameRule, prefix = false): string[] {
  const spec = ruleText[rule];
  const checked = prefix && name.length > 1 && name.endsWith('-') ? `${name.slice(0, -1)}a` : name;
  const problems: string[] = [];
  if (checked.length > spec.max) problems.push(`must be no more than ${spec.max} characters`);
  if (!spec.re.test(checked)) problems.push(spec.text);
  return problems;
}

const generatedAlphabet = 'bcdfghjklmnpqrstvwxz2456789';
const maxNameLength = 63;
const randomLength = 5;

/** `generateName` expanded: the prefix cut to 58 characters plus 5 random characters. */
export function generateName(base: string, random: () => number = Math.random): string {
  const cut = base.length > maxNameLength - randomLength ? base.slice(0, maxNameLength - randomLength) : base;
  let suffix = '';
  for (let i = 0; i < randomLength; i++) suffix += generatedAlphabet[Math.floor(random() * generatedAlphabet.length)];
  return cut + suffix;
}
