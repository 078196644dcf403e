// Prints the named CRDs of an Istio CRD file, keeping only their storage version (what microflow
// writes), as YAML for `cdk8s import`.   node select-crds.js <crd-all.gen.yaml> <crd name>...
'use strict';
const fs = require('fs');
const yaml = require('js-yaml');

const [file, ...names] = process.argv.slice(2);
const docs = yaml.loadAll(fs.readFileSync(file, 'utf8')).filter(Boolean);
const out = names.map((name) => {
  const crd = docs.find((d) => d.kind === 'CustomResourceDefinition' && d.metadata.name === name);
  if (!crd) throw new Error(`${file} has no CRD ${name}`);
  return { ...crd, spec: { ...crd.spec, versions: crd.spec.versions.filter((v) => v.storage) } };
});
process.stdout.write(out.map((d) => yaml.dump(d, { noRefs: true, lineWidth: -1 })).join('---\n'));
