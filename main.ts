/**
 * `npm run synth`: renders microflow into dist/.
 *   MICROFLOW_CONFIG=path/to/file.yaml  configuration file (default: the built-in laptop profile)
 *   MICROFLOW_OUT=path/to/dir           output folder (default: dist)
 * Exit code 1 on invalid configuration (dist/ untouched), 2 on any other failure.
 */
import { ConfigError, configWarnings, loadConfigFile, resolveConfig } from './lib/config';
import { renderTo } from './lib/render';

function main(): number {
  const file = process.env.MICROFLOW_CONFIG;
  const out = process.env.MICROFLOW_OUT || 'dist';
  try {
    const config = file ? loadConfigFile(file) : resolveConfig({}, 'built-in laptop profile');
    for (const warning of configWarnings(config)) console.error(`microflow: warning: ${warning}`);
    const files = renderTo(config, out);
    console.log(`microflow: rendered profile "${config.profile}" into ${out}/ (${files.join(', ')})${config.gitops ? ', and Argo CD and Flux files into gitops/ beside it' : ''}`);
    return 0;
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`microflow: ${e.message}\nmicroflow: ${out}/ was left unchanged.`);
      return 1;
    }
    console.error(`microflow: synth failed: ${(e as Error).stack ?? e}\nmicroflow: ${out}/ was left unchanged.`);
    return 2;
  }
}

process.exitCode = main();
