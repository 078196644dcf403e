/**
 * The read helpers every deploy command goes through, against the scripted kubectl: the arguments
 * they add, a missing object, a kind the API does not serve, and errors that must not be hidden.
 */
import { getJson, getJsonIfExists, KubectlError, labelSelector, listItems } from '../../lib/deploy';
import { scriptedKubectl, type Scripted } from './scripted';

let k: Scripted;
beforeEach(() => { k = scriptedKubectl('microflow-kube-'); });
afterEach(() => k.cleanup());

test('getJson asks for JSON and parses it', () => {
  k.script([{ when: 'get ns kubeflow', stdout: { metadata: { name: 'kubeflow' } } }]);
  expect(getJson(['get', 'ns', 'kubeflow'], { kubectl: k.bin })).toEqual({ metadata: { name: 'kubeflow' } });
  expect(k.calls()).toEqual(['get ns kubeflow -o json']);
});

test('getJsonIfExists: the object, or undefined when kubectl prints nothing (or only a newline) for a missing one', () => {
  k.script([{ when: 'get ns there', stdout: { metadata: { name: 'there' } } }, { when: 'get ns gone', stdout: '\n' }]);
  expect(getJsonIfExists(['get', 'ns', 'there'], { kubectl: k.bin })).toEqual({ metadata: { name: 'there' } });
  expect(getJsonIfExists(['get', 'ns', 'gone'], { kubectl: k.bin })).toBeUndefined();
  expect(k.calls()).toEqual(['get ns there --ignore-not-found -o json', 'get ns gone --ignore-not-found -o json']);
});

describe('listItems', () => {
  test('the items; none when the list has no items field', () => {
    k.script([{ when: 'get pods', stdout: { items: [{ a: 1 }] } }, { when: 'get jobs', stdout: {} }]);
    expect(listItems(['get', 'pods'], { kubectl: k.bin })).toEqual([{ a: 1 }]);
    expect(listItems(['get', 'jobs'], { kubectl: k.bin })).toEqual([]);
  });
  test.each([
    'error: the server doesn\'t have a resource type "notebooks"',
    'Error from server (NotFound): the server could not find the requested resource',
  ])('a kind the API does not serve is an empty list: %s', (stderr) => {
    k.script([{ when: 'get', code: 1, stderr }]);
    expect(listItems(['get', 'notebooks'], { kubectl: k.bin })).toEqual([]);
  });
  test('any other failure is thrown', () => {
    k.script([{ when: 'get', code: 1, stderr: 'The connection to the server localhost:8080 was refused' }]);
    expect(() => listItems(['get', 'pods'], { kubectl: k.bin })).toThrow(KubectlError);
  });
});

test('labelSelector joins key=value pairs for kubectl -l', () => {
  expect(labelSelector({ app: 'mysql', tier: 'db' })).toBe('app=mysql,tier=db');
  expect(labelSelector({})).toBe('');
});
