/** Prints the ScheduledWorkflow CRD as rendered (input of `cdk8s import` in scripts/pipelines/vendor-argo.sh). */
import { App, Chart } from 'cdk8s';
import * as yaml from 'js-yaml';
import { ScheduledWorkflowCrd } from '../../lib/pipelines/crds';

const chart = new Chart(new App(), 'crd');
new ScheduledWorkflowCrd(chart, 'crd');
process.stdout.write(chart.toJson().map((o) => yaml.dump(o)).join('---\n'));
