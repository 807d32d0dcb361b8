import { expect } from 'chai';
import { readFileSync } from 'node:fs';

const root = new URL('../../', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');

describe('README.md', () => {
  it('gives the two commands: the demo and the tests', () => {
    expect(readme).to.contain('npm install && npm run demo');
    expect(readme).to.contain('npm test');
  });

  // Each example marked `<!-- sample: path -->` must be that file, verbatim, so it is built and run.
  const marked = [...readme.matchAll(/<!-- sample: (\S+) -->\n```ts\n([\s\S]*?)```/g)];
  it('marks its code examples with the file that runs them', () => {
    expect(marked.length).to.be.at.least(2);
  });
  for (const [, path, code] of marked) {
    it(`shows ${path} exactly as it is`, () => {
      expect(code).to.equal(readFileSync(new URL(path as string, root), 'utf8'));
    });
  }
});
