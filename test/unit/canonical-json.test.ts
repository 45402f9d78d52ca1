// canonicalJson: one text per value whatever the key order, the basis of ETags and request fingerprints.
import t from 'tap';
import { canonicalJson } from '../../src/lib/canonical-json.js';

t.test('keys are sorted at every depth; arrays keep their order; undefined properties are left out', async (t) => {
  t.equal(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } }), '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
  t.equal(canonicalJson({ a: undefined, b: 'x' }), '{"b":"x"}');
  t.equal(canonicalJson({ a: undefined }), '{}');
  t.equal(canonicalJson([undefined, 1]), '[null,1]', 'in an array, undefined is null as in JSON.stringify');
  t.equal(canonicalJson({ é: 1, e: 2, Z: 3 }), '{"Z":3,"e":2,"é":1}', 'UTF-16 code unit order');
  t.equal(canonicalJson('Кавычки " \\ \u2028'), JSON.stringify('Кавычки " \\ \u2028'));
  t.equal(canonicalJson(undefined), 'null');
  t.equal(canonicalJson({ x: 1, y: [true, false] }), canonicalJson({ y: [true, false], x: 1 }), 'two key orders, one text');
});
