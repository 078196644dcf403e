import { apiWarnings } from '../../lib/deploy';

test('apiWarnings keeps the API server\'s "Warning: " lines of kubectl\'s stderr, without the prefix', () => {
  const stderr = [
    'Warning: would violate PodSecurity "restricted:v1.28": privileged',
    'error: something else',
    '  Warning: indented lines are not kubectl\'s warnings',
    'Warning: unknown field "spec.bogus"',
    '',
  ].join('\n');
  expect(apiWarnings(stderr)).toEqual(['would violate PodSecurity "restricted:v1.28": privileged', 'unknown field "spec.bogus"']);
  expect(apiWarnings('')).toEqual([]);
});
