/**
 * stateOf cases the status table (status.test.ts) leaves out: objects with no spec or status at all
 * (read as defaults, not a crash), a Deployment whose replicas are updated but not yet available, and
 * a StatefulSet still rolling out.
 */
import { stateOf } from '../../lib/deploy';

test.each([
  ['Deployment without spec: 1 replica wanted', 'Deployment', { metadata: {}, status: { updatedReplicas: 1, availableReplicas: 1, replicas: 1 } }, { ready: 1, desired: 1, done: true }],
  ['Deployment updated but not all available', 'Deployment', { metadata: {}, spec: { replicas: 2 }, status: { updatedReplicas: 2, availableReplicas: 1, replicas: 2 } }, { ready: 1, desired: 2, done: false }],
  ['StatefulSet without spec: 1 replica wanted', 'StatefulSet', { metadata: {}, status: { readyReplicas: 1 } }, { ready: 1, desired: 1, done: true }],
  ['StatefulSet mid-rollout (revisions differ, not all updated)', 'StatefulSet', { metadata: {}, spec: { replicas: 2 }, status: { readyReplicas: 2, currentRevision: 'a', updateRevision: 'b', updatedReplicas: 1 } }, { ready: 2, desired: 2, done: false }],
  ['Job failed with a message only', 'Job', { spec: {}, status: { conditions: [{ type: 'Failed', status: 'True', message: 'gone' }] } }, { ready: 0, desired: 1, done: false, failed: 'Job failed:  gone' }],
  ['Job without spec or status', 'Job', { metadata: {} }, { ready: 0, desired: 1, done: false, failed: undefined }],
])('%s', (_what, kind, live, expected) => {
  expect(stateOf(kind as 'Job', live)).toEqual(expected);
});
