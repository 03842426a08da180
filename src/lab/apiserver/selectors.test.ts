import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from './api-error.js';
import { fieldsMatch, labelsMatch, parseFieldSelector, parseLabelSelector } from './selectors.js';
import { generateName, nameProblems } from './names.js';

test('label selectors parse every operator of the query-string form', () => {
  const labels = { app: 'web', tier: 'front' };
  const table: [string, boolean][] = [
    ['', true], ['app=web', true], ['app==web', true], ['app!=web', false], ['app!=db', true], ['missing!=x', true],
    ['app in (db, web)', true], ['app notin (db,web)', false], ['missing notin (x)', true], ['tier', true], ['!tier', false],
    ['!missing', true], ['app=web,tier in (front),!missing', true], ['app=web,tier=back', false], ['app=', false],
  ];
  for (const [selector, want] of table) assert.equal(labelsMatch(parseLabelSelector(selector), labels), want, selector);
});

test('an unparsable label selector is a 400', () => {
  assert.throws(() => parseLabelSelector('app in (a'), (e: unknown) => e instanceof ApiError && e.httpCode === 400);
});

test('field selectors compare dotted paths with = and !=, absent fields as the empty string', () => {
  const obj = { metadata: { name: 'a', namespace: 'ns' }, spec: { type: 'LoadBalancer', replicas: 3 } };
  const table: [string, boolean][] = [
    ['metadata.name=a', true], ['metadata.name==a', true], ['metadata.name!=a', false], ['spec.type=LoadBalancer,metadata.namespace=ns', true],
    ['spec.replicas=3', true], ['spec.missing=', true], ['spec.missing!=x', true],
  ];
  for (const [selector, want] of table) assert.equal(fieldsMatch(parseFieldSelector(selector), obj), want, selector);
});

test('names follow the DNS rules; a generateName may end in "-" but not in "."', () => {
  assert.deepEqual(nameProblems('web-1.example', 'dns1123Subdomain'), []);
  assert.notDeepEqual(nameProblems('Web', 'dns1123Subdomain'), []);
  assert.notDeepEqual(nameProblems('1web', 'dns1035Label'), []);
  assert.notDeepEqual(nameProblems('a.b', 'dns1123Label'), []);
  assert.deepEqual(nameProblems('web-', 'dns1123Subdomain', true), []);
  assert.notDeepEqual(nameProblems('web.', 'dns1123Subdomain', true), []);
  assert.notDeepEqual(nameProblems('web-', 'dns1123Subdomain'), []);
});

test('a generated name is the prefix cut to 58 characters plus 5 characters of the server\'s alphabet', () => {
  assert.match(generateName('l2-'), /^l2-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  assert.equal(generateName('x'.repeat(80)).length, 63);
});
