import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart, DependencyGraph, YamlOutputType } from 'cdk8s';
import { printYaml } from './platform/yaml-printer';

/** Properties of a {@link StackApp}. */
export interface StackAppProps {
  /** Where `synth()` writes the numbered chart files. */
  readonly outdir: string;
}

/**
 * The App of one rendering. Charts declare which charts they follow with {@link follow}, and
 * `synth()` numbers the files in that order (`0000-platform.k8s.yaml`, `0001-data.k8s.yaml`, …),
 * which is the apply order and what the GitOps layout's dependencies are read from.
 *
 * cdk8s' own `Chart.addDependency` would number the files too, but App.synth turns each chart
 * dependency into an edge from every object of one chart to every object of the other and then
 * walks every path of that graph: with seven charts in a chain it took 8 of a render's 12 seconds
 * (2026-11-29, 2 cores), and the time grows with the product of the charts' sizes.
 */
export class StackApp extends App {
  private readonly followed = new Map<Chart, Chart[]>();

  constructor(props: StackAppProps) {
    super({ outdir: props.outdir, yamlOutputType: YamlOutputType.FILE_PER_CHART, outputFileExtension: '.k8s.yaml' });
  }

  /**
   * The stack's charts in construction order, which {@link follow} guarantees is a dependency order:
   * the app's own and those inside a construct of it (a `Microflow`), depth first.
   */
  public get stackCharts(): Chart[] {
    return this.node.findAll().filter((c): c is Chart => c instanceof Chart);
  }

  /**
   * Declares that `chart` is applied after `charts` (and is healthy only once they are). Each of
   * them must have been added to the app before `chart`, so construction order stays apply order.
   */
  public follow(chart: Chart, ...charts: Chart[]): void {
    const order = this.stackCharts;
    for (const dep of charts) {
      if (order.indexOf(dep) < 0 || order.indexOf(chart) < 0) throw new Error(`StackApp.follow: charts "${chart.node.id}" and "${dep.node.id}" must both belong to this app`);
      if (order.indexOf(dep) >= order.indexOf(chart)) {
        throw new Error(`StackApp.follow: chart "${chart.node.id}" follows "${dep.node.id}", so "${dep.node.id}" must be constructed first`);
      }
    }
    this.followed.set(chart, [...(this.followed.get(chart) ?? []), ...charts]);
  }

  /** The charts that `chart` follows, as declared. */
  public dependenciesOf(chart: Chart): readonly Chart[] {
    return this.followed.get(chart) ?? [];
  }

  /**
   * Synthesizes each chart into its numbered file: the objects cdk8s renders for it
   * (`Chart.toJson`: validation, dependency order, tokens resolved), printed by {@link printYaml}
   * (the bytes cdk8s' own printer gives, without its 0.5 s per render).
   */
  public synth(): void {
    const charts = this.stackCharts;
    const ids = charts.map((c) => c.node.id);
    const twice = ids.find((id, i) => ids.indexOf(id) !== i);
    if (twice) throw new Error(`StackApp: two charts have the id "${twice}"; each chart's file is named after its id, so ids must be unique in the app`);
    const rendered = charts.map((chart) => chart.toJson());
    // cdk8s turned every dependency between charts' constructs (and a chart inside a chart) into one between the charts.
    const tied = charts.find((c) => c.node.dependencies.some((d) => d instanceof Chart));
    if (tied) {
      throw new Error(`StackApp: chart "${tied.node.id}" depends on another chart through its constructs (node.addDependency across charts, or a chart inside a chart); declare the order with StackApp.follow instead`);
    }
    fs.mkdirSync(this.outdir, { recursive: true });
    charts.forEach((chart, i) => {
      fs.writeFileSync(path.join(this.outdir, `${String(i).padStart(4, '0')}-${chart.node.id}${this.outputFileExtension}`), printYaml(rendered[i]));
    });
    // App reads the same variable (cdk8s synth --record-construct-metadata sets it); its own flag is private.
    if (process.env.CDK8S_RECORD_CONSTRUCT_METADATA === 'true') this.writeMetadata(charts);
  }

  /** What cdk8s' App.synth writes with CDK8S_RECORD_CONSTRUCT_METADATA=true: each object's construct path. */
  private writeMetadata(charts: Chart[]): void {
    const resources: Record<string, { path: string }> = {};
    for (const chart of charts) {
      for (const o of new DependencyGraph(chart.node).topology()) {
        if (o instanceof ApiObject && Chart.of(o) === chart) resources[o.name] = { path: o.node.path };
      }
    }
    fs.writeFileSync(path.join(this.outdir, 'construct-metadata.json'), JSON.stringify({ version: '1.0.0', resources }));
  }
}
