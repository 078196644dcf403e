#!/usr/bin/env node
/**
 * A fake API server behind a kubectl command line, for the deploy code's unit tests: state in the
 * JSON file $FAKE_API ({ objects: { "Kind/ns/name": object }, calls: [argv...], fail: { "<verb>": stderr } }).
 * It answers the calls lib/deploy makes the way kubectl and the API server do: a Job's pod template
 * is immutable (apply, dry-run or not, refuses a change with "field is immutable"), `get
 * --ignore-not-found` prints nothing for a missing object, `diff` exits 1 when something differs.
 * `fail[verb]` makes that verb fail with the given stderr and exit 1 (2 for diff), like an API error.
 */
const fs = require('fs');
const yaml = require('js-yaml');

const file = process.env.FAKE_API;
const state = JSON.parse(fs.readFileSync(file, 'utf8'));
const args = process.argv.slice(2);
state.calls.push(args);
const save = () => fs.writeFileSync(file, JSON.stringify(state));
const exit = (code, out = '', err = '') => { save(); process.stdout.write(out); process.stderr.write(err); process.exit(code); };
const opt = (name) => { const i = args.indexOf(name); return i < 0 ? undefined : args[i + 1]; };
const key = (o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const stdinObjects = () => yaml.loadAll(fs.readFileSync(0, 'utf8')).filter(Boolean);
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

const verb = args[0];
if (state.fail && state.fail[verb] !== undefined) exit(verb === 'diff' ? 2 : 1, '', state.fail[verb]);

switch (verb) {
  case 'get': {
    // `get job NAME -n NS` or `get Kind/name` (cluster-scoped, as the webhook wait asks).
    const [kind, name] = args[1].includes('/') ? args[1].split('/') : [args[1], args[2]];
    const o = state.objects[`${kind[0].toUpperCase()}${kind.slice(1)}/${opt('-n') ?? ''}/${name}`];
    if (!o) exit(args.includes('--ignore-not-found') ? 0 : 1, '', args.includes('--ignore-not-found') ? '' : `Error from server (NotFound): ${kind}s "${name}" not found\n`);
    exit(0, JSON.stringify(o));
    break;
  }
  case 'apply': {
    const dryRun = args.includes('--dry-run=server');
    const objects = stdinObjects();
    for (const o of objects) {
      const live = state.objects[key(o)];
      if (o.kind === 'Job' && live && !same(live.spec.template, o.spec.template)) {
        exit(1, '', `The Job "${o.metadata.name}" is invalid: spec.template: Invalid value: core.PodTemplateSpec{...}: field is immutable\n`);
      }
    }
    if (dryRun) exit(0, objects.map((o) => `${o.kind.toLowerCase()}/${o.metadata.name} serverside-applied (server dry run)\n`).join(''));
    for (const o of objects) state.objects[key(o)] = { ...o, status: state.objects[key(o)]?.status ?? {} };
    exit(0, objects.map((o) => `${o.kind.toLowerCase()}/${o.metadata.name} serverside-applied\n`).join(''));
    break;
  }
  case 'delete': {
    const [, kind, name] = args;
    const k = `${kind[0].toUpperCase()}${kind.slice(1)}/${opt('-n') ?? ''}/${name}`;
    if (!state.objects[k]) exit(1, '', `Error from server (NotFound): ${kind}s "${name}" not found\n`);
    delete state.objects[k];
    exit(0, `${kind}.batch "${name}" deleted\n`);
    break;
  }
  case 'wait':
    exit(0, args.filter((a) => a.startsWith('crd/')).map((a) => `customresourcedefinition.apiextensions.k8s.io/${a.slice(4)} condition met\n`).join(''));
    break;
  case 'diff': {
    const changed = stdinObjects().filter((o) => !state.objects[key(o)] || !same({ ...state.objects[key(o)], status: undefined }, { ...o, status: undefined }));
    exit(changed.length ? 1 : 0, changed.map((o) => `diff -u -N /tmp/LIVE/${o.metadata.name} /tmp/MERGED/${o.metadata.name}\n`).join(''));
    break;
  }
  default:
    exit(2, '', `fake kubectl: unsupported: ${args.join(' ')}\n`);
}
