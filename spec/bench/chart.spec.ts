import { expect } from 'chai';
import { type ChartRow, ratiosSvg, timesBetter } from '../../bench/chart.js';

const row = (over: Partial<ChartRow>): ChartRow => ({
  scenario: 'a row',
  baselineName: 'Python',
  ratio: 2,
  targetKind: 'at-least',
  targetValue: 1,
  met: true,
  ...over,
});

describe('bench/chart: the ratios of a run as an SVG', () => {
  it('shows a latency as how many times shorter, a throughput as how many times faster', () => {
    expect(timesBetter(row({ ratio: 4, targetKind: 'at-least' }))).to.equal(4);
    expect(timesBetter(row({ ratio: 0.25, targetKind: 'at-most' }))).to.equal(4);
    expect(timesBetter(row({ ratio: undefined }))).to.equal(undefined);
  });

  it('draws one bar per row with a ratio, a target tick per row with a target, and escapes labels', () => {
    const svg = ratiosSvg(
      [
        row({ scenario: 'fork <ints> & more', ratio: 3.5, targetValue: 15, met: false }),
        row({ scenario: 'round trip', ratio: 0.34, targetKind: 'at-most', targetValue: 1, met: true }),
        row({ scenario: 'reference', ratio: 0.6, targetKind: 'info', targetValue: 0, met: undefined }),
        row({ scenario: 'rss', ratio: undefined, targetKind: 'at-most-absolute', targetValue: 100 }),
      ],
      'a run',
    );
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).to.equal(true);
    expect(svg.match(/<rect x=/g)).to.have.length(3);
    expect(svg.match(/stroke="#000"/g)).to.have.length(2);
    expect(svg).to.contain('fork &lt;ints&gt; &amp; more vs Python');
    expect(svg).to.not.contain('<ints>');
    expect(svg).to.contain('>2.94×<'); // 1 / 0.34
    expect(svg).to.contain('fill="#e08a1e"'); // missed
    expect(svg).to.contain('fill="#3a8a3a"'); // met
    expect(svg).to.not.contain('rss');
  });
});
