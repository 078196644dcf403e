import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Names, YamlOutputType } from 'cdk8s';

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

  /** Synthesizes each chart into its numbered file. */
  public synth(): void {
    const charts = this.stackCharts;
    const ids = charts.map((c) => c.node.id);
    const twice = ids.find((id, i) => ids.indexOf(id) !== i);
    if (twice) throw new Error(`StackApp: two charts have the id "${twice}"; each chart's file is named after its id, so ids must be unique in the app`);
    super.synth();
    charts.forEach((chart, i) => {
      // cdk8s names a chart's file after its construct path (`microflow-data-c8a1b2c3` inside a construct).
      const plain = path.join(this.outdir, `${Names.toDnsLabel(chart)}${this.outputFileExtension}`);
      // cdk8s numbers the files itself as soon as any construct depends on one in another chart.
      if (!fs.existsSync(plain)) {
        throw new Error(`StackApp: ${plain} was not written: a construct depends on one in another chart (node.addDependency across charts); declare the order with StackApp.follow instead`);
      }
      fs.renameSync(plain, path.join(this.outdir, `${String(i).padStart(4, '0')}-${chart.node.id}${this.outputFileExtension}`));
    });
  }
}
