/**
 * Every test file of a mutation scope, loaded into this one jest test file (jest.mutation.config.js
 * lists them in MICROFLOW_MUTATION_TEST_FILES): one module registry, so cdk8s, lib/ and the first
 * render of each configuration are paid once per mutant instead of once per file. Each file's tests
 * sit in a describe block named after the file, so its hooks run only when one of its tests does.
 */
import * as path from 'path';

const files: string[] = JSON.parse(process.env.MICROFLOW_MUTATION_TEST_FILES ?? '[]');
if (files.length === 0) throw new Error('MICROFLOW_MUTATION_TEST_FILES is empty: run through jest.mutation.config.js with MICROFLOW_MUTATION_SCOPE set');

for (const file of files) {
  describe(path.relative(path.join(__dirname, '..'), file), () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a path known only at run time, loaded inside the describe
    require(file);
  });
}
