import { LandingPage, type LandingUser } from '../../lib/notebooks';
import { constructHarness } from '../support/stack';

/** Users a landing page is rendered for in tests. */
export const LANDING_USERS: LandingUser[] = [
  { email: 'alice@example.org', namespace: 'alice', tensorboards: [{ name: 'mnist', path: '/tensorboard/alice/mnist/' }] },
  { email: 'bob@example.org', namespace: 'bob', tensorboards: [] },
];
export const USER_ID_HEADER = 'kubeflow-userid';

/** The landing page's rendered ConfigMap data. */
export function landingConfigMap(): { data: Record<string, string>; users: LandingUser[]; userIdHeader: string } {
  const { chart, policy, synth } = constructHarness({});
  new LandingPage(chart, 'Landing', {
    namespace: 'kubeflow',
    policy,
    domain: 'microflow.local',
    userIdHeader: USER_ID_HEADER,
    users: LANDING_USERS,
    links: [
      { title: 'Notebooks', href: '/jupyter/?ns={namespace}', description: 'notebooks' },
      { title: 'Pipelines', href: '/pipeline/?ns={namespace}', description: 'pipelines' },
      { title: 'Object store', href: '/minio/', description: 'console' },
      { title: 'TensorBoards', href: '#tensorboards', description: 'boards' },
    ],
  });
  const cm = synth().find((o) => o.kind === 'ConfigMap')!;
  return { data: cm.data, users: LANDING_USERS, userIdHeader: USER_ID_HEADER };
}
